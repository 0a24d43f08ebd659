"""Strict UTF-8 decoding of an input's bytes, with every line that is not UTF-8 an issue.

One rule, "invalid-utf8", for every input read as text: an import's export or page
(builder.ingest.formats.common.decode_text) and the store's own files (its .jsonl records,
its catalog CSV). Each issue names the line and column of the first byte that is not
UTF-8, and the bytes themselves (in hex) as the value.
"""

from __future__ import annotations

from builder.core.errors import Issue

SKIPPED = "the line is not valid UTF-8 (it is not read; the other lines are)"
"""The message of a line of the store that is not UTF-8."""


def decode_utf8(data: bytes, origin: str, message: str = SKIPPED) -> tuple[str, list[Issue]]:
    """The text of `data`, and an "invalid-utf8" issue (with `message`) for each line
    that is not UTF-8. Such a line reads as empty (its line end is kept, so the other
    lines keep their numbers): the caller can still read the other lines, but never a
    guess at the bad one. Lines end at "\\n", "\\r\\n" or "\\r", as csv and
    builder.core.jsonshape.text_of count them."""
    try:
        return data.decode("utf-8"), []  # the usual case: one pass, nothing to locate
    except UnicodeDecodeError:
        pass
    parts, issues = [], []
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            column = len(line[:exc.start].decode("utf-8")) + 1  # valid up to the error
            issues.append(Issue(origin, number, column, "-", "invalid-utf8", message,
                                line[exc.start:exc.end].hex(" ")))
            parts.append(line[len(line.rstrip(b"\r\n")):].decode("ascii"))
    return "".join(parts), issues
