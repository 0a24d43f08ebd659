"""Which generated files a change to the store touches: render only those.

The work folder keeps (`.render-state.json`) a digest of each answer's timeline (its
current record and its recorded changes) and one of everything else the pages are made
from (the surveys' metadata and questions as the pages show them, the CA owners' names,
topics, catalog, CA information, the templates, the site URL, the builder's code), with
the list of files the site had and a digest of the entries each archive page of the
changes lists shows. After loading the new store, the digests say which answers
changed; when nothing else did and the site has the same files, only `pages_showing` of
those answers and the archive pages whose entries changed (a change observed before
others shifts every newer block) are made again, and every other file keeps its bytes in
the work folder. Anything else changed, or no state: everything is made (None).

The answers' digests of a survey whose data files have the hashes they had last time
(the build's input record has them: inputs.py) are taken from the state, not made again:
after an import of one survey only that survey's answers are digested.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from builder.core.model import Answer, Change, Question, Store, SurveyData
from builder.publish.pages.changes import archive_digests
from builder.publish.pages.showing import pages_showing
from builder.publish.pages.site import SiteIndex

STATE = ".render-state.json"
VERSION = 3
Digests = Mapping[str, str]
"""'question\0owner' -> digest of that answer's timeline, for one survey."""


def _fields(value: object) -> list[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    raise TypeError(f"not part of the store: {type(value).__name__}")


def _digest(value: object) -> str:
    text = json.dumps(value, default=_fields, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class RenderState:
    env: str
    """Everything but the answers: any change to it makes the whole site again."""
    answers: Mapping[str, Digests]
    """Survey key -> the digests of its answers' timelines."""
    paths: str
    """A digest of the sorted list of the site's generated files."""
    files: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Survey key -> the hash of its data files the answers' digests were made from."""
    archives: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Archive page of a changes list -> a digest of its entries (archive_digests)."""

    def dumps(self) -> str:
        return json.dumps({"version": VERSION, "env": self.env, "paths": self.paths,
                           "answers": self.answers, "files": self.files,
                           "archives": self.archives}, sort_keys=True) + "\n"


def survey_digests(data: SurveyData) -> dict[str, str]:
    """The digest of each answer's timeline in one survey (withdrawn ones included)."""
    changes: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in data.history:
        changes[(change.question_id, change.owner_key)].append(change)
    answers: dict[tuple[str, str], Answer | None] = dict(data.answers)
    for pair in changes.keys() - answers.keys():
        answers[pair] = None
    return {f"{qid}\0{owner}": _digest([answer, changes.get((qid, owner), [])])
            for (qid, owner), answer in answers.items()}


def answer_digests(store: Store, files: Mapping[str, str],
                   previous: RenderState | None) -> dict[str, Digests]:
    """Every survey's answer digests; those of a survey whose data files are unchanged
    (`files`: survey key -> their hash now) come from `previous`."""
    out: dict[str, Digests] = {}
    for key, data in store.surveys.items():
        if previous is not None and key in files and previous.files.get(key) == files[key] \
                and key in previous.answers:
            out[key] = previous.answers[key]
        else:
            out[key] = survey_digests(data)
    return out


def _as_shown(question: Question) -> Question:
    """A question as pages show it: its `source` (where it was last imported from, which
    every import of its survey rewrites) is in the downloads only, on no page."""
    return replace(question, source=None)


def other_digest(site: SiteIndex, extra: str) -> str:
    """Everything the pages read but the answers' timelines (`extra`: the templates, the
    site URL and the builder's code, hashed by the caller)."""
    store = site.store
    ca = store.ca_information
    return _digest([extra, store.demo, store.catalog, store.question_catalog, store.topics,
                    site.owner_names,
                    [[d.survey, [_as_shown(q) for q in d.sorted_questions()]]
                     for d in store.sorted_surveys()],
                    sorted(ca.values.items()), ca.history, ca.copies])


def state_of(site: SiteIndex, extra: str, paths: Collection[str],
             files: Mapping[str, str] | None = None,
             previous: RenderState | None = None) -> RenderState:
    """The state of this build. `files`: survey key -> the hash of its data files now
    (unknown surveys get their digests made); `previous`: the last build's state."""
    files = files or {}
    return RenderState(other_digest(site, extra),
                       answer_digests(site.store, files, previous), _digest(sorted(paths)),
                       {k: v for k, v in files.items() if k in site.store.surveys},
                       archive_digests(site))


def to_render(site: SiteIndex, previous: RenderState | None,
              now: RenderState) -> set[str] | None:
    """The files to make again: those showing a changed answer; None: all of them."""
    if previous is None or previous.env != now.env or previous.paths != now.paths \
            or previous.answers.keys() != now.answers.keys():
        return None
    out = {page for page, digest in now.archives.items()
           if previous.archives.get(page) != digest}
    for survey, digests in now.answers.items():
        before = previous.answers[survey]
        if before is digests or before == digests:
            continue
        data = site.store.surveys[survey]
        for pair in before.keys() | digests.keys():
            if before.get(pair) == digests.get(pair):
                continue
            qid, owner = pair.split("\0")
            if qid not in data.questions or owner not in site.owner_names:
                return None  # gone from the site: its lists change
            out |= pages_showing(site, survey, qid, owner)
    return out


def load(work_dir: Path) -> RenderState | None:
    try:
        raw = json.loads((work_dir / STATE).read_text(encoding="utf-8"))
        if raw["version"] != VERSION:
            return None
        answers, files, archives = raw["answers"], raw["files"], raw["archives"]
        if not all(isinstance(d, dict) and all(isinstance(v, str) for v in d.values())
                   for d in answers.values()) \
                or not all(isinstance(v, str) for v in [*files.values(), *archives.values()]):
            return None
        return RenderState(str(raw["env"]), answers, str(raw["paths"]), files, archives)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def forget(work_dir: Path) -> None:
    """Before the work folder is written: a state must never describe files it does not."""
    (work_dir / STATE).unlink(missing_ok=True)


def save(work_dir: Path, state: RenderState) -> None:
    tmp = work_dir / f"{STATE}.tmp"
    tmp.write_text(state.dumps(), encoding="utf-8")
    os.replace(tmp, work_dir / STATE)
