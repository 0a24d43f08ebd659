"""Word-level diffs between two versions of an answer. Pure functions, no I/O.

The diff is a list of (op, text) segments, op in 'equal', 'delete', 'insert'; joining
the 'equal' and 'delete' segments gives the old text, 'equal' and 'insert' the new one.
"""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup

from builder.core.model import FREE_TEXT, UNKNOWN, Question
from builder.publish.encode import encode

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
Segment = tuple[str, str]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Segment]:
    """Segments turning `old` into `new`, word by word (whitespace and punctuation kept)."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return out


def is_unchanged(diff: list[Segment]) -> bool:
    return all(op == "equal" for op, _ in diff)


def old_text(diff: list[Segment]) -> str:
    return "".join(text for op, text in diff if op != "insert")


def apply_diff(old: str, diff: list[Segment]) -> str:
    """The new text, after checking the diff really starts from `old`."""
    if old_text(diff) != old:
        raise ValueError("this diff does not apply to that text")
    return "".join(text for op, text in diff if op != "delete")


def render_diff(diff: list[Segment]) -> Markup:
    """HTML the builder writes: <del>/<ins> around encoded text, readable without colour."""
    parts = []
    for op, text in diff:
        if op == "equal":
            parts.append(str(encode(text)))
        elif op == "delete":
            parts.append(f'<del class="csr-del" title="removed">{encode(text)}</del>')
        else:
            parts.append(f'<ins class="csr-ins" title="added">{encode(text)}</ins>')
    return Markup('<div class="csr-diff">' + "".join(parts) + "</div>")


def answer_text(values: tuple[str, ...] | None) -> str:
    """One text for a (possibly multiple-choice) answer, one option per line."""
    return "\n".join(values or ())


def word_diffed(question: Question | None) -> bool:
    """Whether two versions of an answer to `question` are shown as a word diff: only a
    free text (or a question of unknown type without known options) is; a choice or a date
    reads "changed from A to B", as a word diff of two option labels says nothing."""
    if question is None:
        return True
    return question.type == FREE_TEXT or (question.type == UNKNOWN and not any(question.options))
