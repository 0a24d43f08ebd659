"""The questions of an export: drafts gathered row by row, their ids, and the question
each becomes (completed from what the store knew of it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder.core.comments import is_comments
from builder.core.model import FREE_TEXT, UNKNOWN, Question, Store
from builder.core.text import canonical_key, short_hash

QUESTION_ID = re.compile(r"^(Q\d{5,8}|local-[a-z0-9-]{1,60})$")


@dataclass
class QuestionDraft:
    id: str
    line: int | None
    order: int | None = None
    type: str | None = None
    text: str | None = None
    options: dict[int, str] = field(default_factory=dict)
    required: bool | None = None
    truncated: bool = False


def local_question_id(survey_key: str, text: str) -> str:
    """A stable id for a question the CCADB id of which is not known."""
    return f"local-{short_hash(survey_key + chr(0) + canonical_key(text), 10)}"


def known_id_for_text(store: Store, survey_key: str, text: str,
                      truncated: bool = False) -> str | None:
    """The id of the store's question with this text; a text cut short in a captured
    copy matches the full text it begins (whichever of the two was cut)."""
    key = canonical_key(text)
    data = store.surveys.get(survey_key)
    if data is None:
        return catalog_id_for_text(store, survey_key, key)
    known = [(q, canonical_key(q.text)) for q in data.questions.values()]
    same = next((q.id for q, k in known if k == key), None)
    if same or not key:
        return same
    return next((q.id for q, k in known if k and (q.truncated and key.startswith(k)
                                                  or truncated and k.startswith(key))),
                None) or catalog_id_for_text(store, survey_key, key)

def catalog_id_for_text(store: Store, survey_key: str, key: str) -> str | None:
    """A CCADB id that data/catalog/questions.csv gives for this survey and exact text."""
    return next((row["question_id"] for row in store.question_catalog
                 if QUESTION_ID.match(row.get("question_id") or "")
                 and not (row.get("question_id") or "").startswith("local-")
                 and canonical_key(row.get("communication_title") or "") == survey_key
                 and key and canonical_key(row.get("question_text_verbatim") or "") == key),
                None)

def finish_question(store: Store, survey_key: str, draft: QuestionDraft,
                    source: str | None) -> Question:
    """The question a draft describes, completed from the store's earlier version of it."""
    known = store.surveys.get(survey_key)
    previous = known.questions.get(draft.id) if known else None
    qtype = draft.type or (previous.type if previous else None)
    if qtype is None or qtype == UNKNOWN:
        qtype = FREE_TEXT if is_comments(draft.text or "") else UNKNOWN
    options = list(previous.options) if previous else []
    for number, label in sorted(draft.options.items()):
        options += [""] * (number - len(options))
        if qtype != FREE_TEXT:
            options[number - 1] = label
    text = draft.text if draft.text is not None else (previous.text if previous else "")
    order = draft.order if draft.order is not None else (previous.order if previous else None)
    required = draft.required if draft.required is not None else (
        previous.required if previous else None)
    truncated = draft.truncated if draft.text else bool(previous and previous.truncated)
    return Question(survey_key, draft.id, order, qtype, text,
                    tuple(options) if qtype != FREE_TEXT else (), source, required,
                    truncated)
