"""`builder demo`: a deterministic, clearly fictitious dataset with a history.

Every CA owner is named 'Fictitious …', every survey title says '(demo)', and the
store is marked demo so each page carries a banner. Answers are re-submitted over
three imports, through the same merge code as real imports, so histories exist.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.core.comments import is_comments
from builder.core.errors import BuilderError
from builder.core.model import (
    DATE,
    FREE_TEXT,
    MULTI,
    SINGLE,
    Answer,
    Capture,
    Question,
    Store,
    Survey,
    SurveyData,
)
from builder.core.text import canonical_key
from builder.ingest.merge import merge
from builder.ingest.validate import ImportBundle
from builder.store.durable import write_files
from builder.store.records import read_store, store_files, writes_store

SEED = 20171116
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
ADJECTIVES = ("Aurora", "Basalt", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbor",
              "Indigo", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Onyx", "Pioneer",
              "Quartz", "Riverside", "Summit", "Tundra", "Umber", "Vertex", "Willow", "Xenon",
              "Yarrow", "Zephyr", "Alder", "Beacon", "Cedar", "Dune", "Ember Bay", "Falcon")
NOUNS = ("Trust", "Certification", "Digital Identity", "PKI", "Secure Networks", "Signing",
         "Root Services", "Assurance", "Credentials", "Authority", "Net Security", "Trust Labs",
         "Keys", "Identity Services", "Certs", "Validation", "Registry", "Cyber Trust",
         "Seal", "Crypto Services", "E-Trust", "Sign", "Notary", "Cert Bureau")
TOPICS = ("Review the Root Store Policy", "Problem reporting mechanism",
          "Disclose intermediate certificates", "Audit statements in English",
          "CAA checking", "Certificate lifetimes", "Revocation reasons", "Domain validation "
          "methods", "S/MIME requirements", "Incident reporting", "Key compromise handling",
          "OCSP and CRL availability", "Precertificate handling", "Delegated third parties")
OPTIONS = ("We comply and our CP/CPS documents state so.",
           "We will comply by the stated deadline.",
           "We do not issue certificates of this kind.",
           "We need more time; see our comments.",
           "Other (please describe below)")
MULTI_OPTIONS = ("Email to a dedicated address", "Web form", "Telephone line",
                 "Postal address", "Other (please describe below)")
PHRASES = ("Our CP/CPS section 4.9.3 describes this; see https://pki.example.com/cps.",
           "Reports can be sent to problem-report@example.com at any time.",
           "We updated our documents on the date given and informed our auditors.",
           "No change since our answer to the previous CA Communication.",
           "A review is under way; we will post an incident report on Bugzilla.",
           "This does not apply to us: our roots are not enabled for websites.",
           "We have confirmed with our auditor that the next report will include this.",
           "Our policy authority approved the change in its last meeting.")
SIZES = {"small": (3, 8, 6), "realistic": (20, 70, 15), "large": (20, 700, 15)}
"""surveys, CA owners, questions per survey."""


@dataclass(frozen=True)
class DemoSummary:
    size: str
    surveys: int
    owners: int
    questions: int
    answers: int
    changes: int
    data_dir: Path

    def __str__(self) -> str:
        return (f"demo ({self.size}) written to {self.data_dir}: {self.surveys} surveys, "
                f"{self.owners} fictitious CA owners, {self.questions} questions, "
                f"{self.answers} answers, {self.changes} recorded changes")


def owner_names(count: int) -> list[str]:
    names = [f"Fictitious {a} {n}" for n in NOUNS for a in ADJECTIVES]
    if count > len(names):
        names += [f"Fictitious CA Owner {i}" for i in range(count - len(names))]
    return sorted(names[:count])


def survey_titles(count: int) -> list[tuple[str, str, str]]:
    """(title, sent, deadline), oldest first, two surveys a year from 2016."""
    out = []
    for i in range(count):
        year, month = 2016 + i // 2, 3 if i % 2 == 0 else 10
        out.append((f"{MONTHS[month - 1]} {year} CA Communication (demo)",
                    f"{year}-{month:02d}-15", f"{year}-{month + 1:02d}-15"))
    return out


def make_questions(survey_key: str, count: int, first_id: int, index: int) -> list[Question]:
    questions: list[Question] = []
    action = 0
    while len(questions) < count:
        action += 1
        topic = TOPICS[(index + action) % len(TOPICS)]
        kind = (SINGLE, MULTI, FREE_TEXT, SINGLE, DATE)[(action - 1) % 5]
        qid = f"Q{first_id + len(questions):06d}"
        text = f"ACTION {action}: {topic} (fictitious question). Please tell us how your CA " \
               f"handles this item."
        options: tuple[str, ...] = OPTIONS if kind == SINGLE else \
            MULTI_OPTIONS if kind == MULTI else ()
        questions.append(Question(survey_key, qid, len(questions) + 1, kind, text, options))
        if kind in (SINGLE, MULTI) and len(questions) < count:
            questions.append(Question(survey_key, f"Q{first_id + len(questions):06d}",
                                      len(questions) + 1, FREE_TEXT,
                                      f"ACTION {action} COMMENTS", ()))
    return questions


def answer_values(rng: random.Random, q: Question) -> tuple[tuple[str, ...], tuple[int, ...]]:
    if q.type == SINGLE:
        n = rng.choices(range(1, len(q.options) + 1), weights=(50, 25, 10, 8, 7))[0]
        return (q.options[n - 1],), (n,)
    if q.type == MULTI:
        picked = sorted(rng.sample(range(1, len(q.options) + 1), rng.randint(1, 3)))
        return tuple(q.options[n - 1] for n in picked), tuple(picked)
    if q.type == DATE:
        return (f"20{rng.randint(17, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",), ()
    if is_comments(q.text) and rng.random() < 0.6:
        return ("",), ()
    if rng.random() < 0.25:
        return (PHRASES[3],), ()  # the copy-paste answer many CAs give
    return (" ".join(rng.sample(PHRASES, rng.randint(1, 3))),), ()


def edit(rng: random.Random, q: Question, values: tuple[str, ...]) -> tuple[str, ...]:
    """A re-submission: a different option, or a reworded text (a word replaced, a
    sentence added: its diff both removes and adds)."""
    if q.type in (SINGLE, MULTI, DATE):
        return answer_values(rng, q)[0]
    words = (values[0] or PHRASES[0]).split()
    cut = rng.randrange(len(words))
    return (" ".join(words[:cut] + ["(updated)"] + words[cut + 1:] + [rng.choice(PHRASES)]),)


def topics_text(store: Store) -> str:
    """topics.json: the questions that ask about the same (fictitious) topic across surveys."""
    topics: dict[str, list[dict[str, str]]] = {}
    for data in store.sorted_surveys():
        for q in data.sorted_questions():
            if ": " in q.text and " (fictitious question)" in q.text:
                topic = q.text.split(": ", 1)[1].split(" (fictitious question)")[0]
                topics.setdefault(topic, []).append({"survey": data.survey.title,
                                                     "question_id": q.id})
    items = [{"topic": t, "questions": qs} for t, qs in sorted(topics.items()) if len(qs) > 1]
    return json.dumps(items, indent=1) + "\n"


def _demo_survey(store: Store, rng: random.Random, owners: list[str], index: int,
                 dates: tuple[str, str, str], n_questions: int) -> tuple[Store, int]:
    """`store` with one more fictitious survey, imported as three versions (the answers
    at the deadline, then a few re-submitted, then one CA owner gone); its changes."""
    title, sent, deadline = dates
    made = 0
    key = canonical_key(title)
    survey = Survey(key, title, None, sent, deadline,
                    letter=f"This is a fictitious CA Communication, number {index + 1} of "
                           f"the demonstration dataset. Please answer each action item.",
                    demo=True)
    questions = make_questions(key, n_questions, 900000 + index * 100, index)
    takers = [o for o in owners if rng.random() > 0.05]
    current: dict[tuple[str, str], tuple[tuple[str, ...], tuple[int, ...]]] = {}
    for q in questions:
        for owner in takers:
            current[(q.id, owner)] = answer_values(rng, q)
    for version, day in enumerate((deadline, f"{deadline[:8]}28", f"{sent[:4]}-12-20")):
        if version:
            for (qid, owner), (values, _) in list(current.items()):
                if rng.random() < 0.03:
                    q = next(q for q in questions if q.id == qid)
                    current[(qid, owner)] = (edit(rng, q, values), ())
            if version == 2 and takers:
                dropped = takers[rng.randrange(len(takers))]
                current = {k: v for k, v in current.items() if k[1] != dropped}
        bundle = SurveyData(survey, {q.id: q for q in questions})
        when = f"{day}T12:00:00Z"
        source = f"demo://{key.split(' (')[0].lower().replace(' ', '-')}/v{version + 1}"
        for (qid, owner), (values, numbers) in current.items():
            okey = canonical_key(owner)
            bundle.answers[(qid, okey)] = Answer(key, qid, okey, owner, values, numbers,
                                                 source, when, captured_at=when, live=True)
        # Fictitious live captures, so the demo shows what a fetched record looks like.
        store, recorded = merge(store, ImportBundle({key: bundle}, []), partial=False,
                                observed_at=when, capture=Capture(when, live=True))
        made += len(recorded)
    return store, made


@writes_store
def write_demo(data_dir: Path, size: str,
               progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Write the demo store of this size; `progress` is told each survey as it is made."""
    existing, _ = read_store(data_dir)
    if existing.surveys and not existing.demo:
        raise BuilderError(f"{data_dir} holds real data: demo data is never mixed into it; "
                           "pass another --data folder")
    n_surveys, n_owners, n_questions = SIZES[size]
    rng = random.Random(f"{SEED}-{size}")
    owners = owner_names(n_owners)
    store = Store(demo=True)
    changes = 0
    for index, (title, sent, deadline) in enumerate(survey_titles(n_surveys)):
        if progress:
            progress(f"survey {index + 1} of {n_surveys}: {title}")
        store, made = _demo_survey(store, rng, owners, index, (title, sent, deadline),
                                   n_questions)
        changes += made
    if progress:
        progress(f"saving {changes} change(s) to {data_dir}")
    files = {**store_files(store, data_dir), "topics.json": topics_text(store)}
    # One save replaces the earlier demo dataset whole (its other files are removed).
    earlier = sorted(p.relative_to(data_dir).as_posix() for p in
                     (data_dir / "surveys").rglob("*") if p.is_file())
    write_files(data_dir, files, remove=tuple(earlier))
    return DemoSummary(size, n_surveys, n_owners, sum(len(d.questions) for d in
                       store.surveys.values()), sum(len(d.answers) for d in
                       store.surveys.values()), changes, data_dir)
