"""The "ACTION n COMMENTS" rule: which free-text question holds the comments on another.

CCADB surveys follow a choice question ("ACTION 3: ...") with a free-text one titled
"ACTION 3 COMMENTS" (or "ITEM 3 COMMENTS"). The importer types such a question as free
text, the question page shows its answers beside the choice's, and the demo and bench
tell them apart: all by this module.
"""

from __future__ import annotations

import re

from builder.core.model import Question, SurveyData

COMMENTS = re.compile(r"^\s*(ACTION|ITEM)\s*#?\s*(\d+)\s+COMMENTS\b", re.IGNORECASE)
NUMBERED = re.compile(r"^\s*(ACTION|ITEM)\s*#?\s*(\d+)\s*:", re.IGNORECASE)


def is_comments(text: str) -> bool:
    """Whether a question's text titles it as the comments on another question."""
    return COMMENTS.match(text) is not None


def comments_question(data: SurveyData, question: Question) -> Question | None:
    """The 'ACTION n COMMENTS' question that belongs to a choice question, if any: the one
    with the same number, else (for an unnumbered question) the question right after it."""
    if is_comments(question.text):
        return None
    number = NUMBERED.match(question.text)
    ordered = data.sorted_questions()
    for other in ordered:
        match = COMMENTS.match(other.text)
        if match and number and match.group(1).upper() == number.group(1).upper() \
                and match.group(2) == number.group(2):
            return other
    index = ordered.index(question)
    if index + 1 < len(ordered) and is_comments(ordered[index + 1].text) and not number:
        return ordered[index + 1]
    return None
