"""A survey's share of the search index, kept between builds in the work folder (issue #16).

Each survey gives two blocks of consecutive records, its questions and its answers
(index.Block: each record's JSON and the spans of its terms), which build after build are
the same unless its data changed. They are kept as pieces (the build hands in the store
of pieces, opendata.pieces.Pieces: content-checked, written atomically, keyed with the
builder's code) under a key made of everything they are made from: the hash of the
survey's data files, and for the answers the owners' names. The hand-written pages'
records are kept so too, under a digest of their text. A piece is plain text, the
spans as JSON on its first line and one record per line after: a piece that is missing,
damaged or not of this shape is made again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, cast

from builder.core.model import SurveyData
from builder.publish.search.index import SPAN, Block, block_of
from builder.publish.search.records import answer_records, handwritten_records, question_records

SEARCH_PIECES = ".search-pieces"
"""In the work folder, beside `.downloads-pieces` (hidden: MkDocs leaves it out)."""
FORMAT = "search-block 1"
"""The pieces' layout: a new one never reads an old one."""


class Out(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Kept(Protocol):
    """Pieces kept in the work folder, by key (opendata.pieces.Pieces)."""

    def key(self, *inputs: str) -> str: ...

    def read(self, key: str, write: Callable[[Out], None]) -> bytes: ...

    def gc(self) -> None: ...


@dataclass(frozen=True)
class Known:
    """What the build knows already, so that only the surveys whose data changed give
    their share of the index again."""

    kept: Kept
    files: Mapping[str, str]
    """Survey key -> the hash of its data files (generate.survey_files): no hash, no piece."""
    names: Mapping[str, str]
    """The owners' names (publish.owners.owner_names), as the pages have them."""

    @cached_property
    def names_digest(self) -> str:
        text = json.dumps(sorted(self.names.items()), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def encode(block: Block) -> bytes:
    head = json.dumps({"records": len(block.lines), "spans": block.spans},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"\n".join([head, *block.lines])  # a record's JSON has no line break


def decode(data: bytes) -> Block | None:
    """The block a piece holds, or None if it is not one (never a partial block)."""
    head, *lines = data.split(b"\n")
    try:
        raw = json.loads(head)
        spans = raw["spans"]
        if raw["records"] != len(lines) or not isinstance(spans, dict) or not all(
                isinstance(s, str) and SPAN.fullmatch(s) for s in spans.values()):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    return Block(lines, cast(dict[str, str], spans))


def _kept(known: Known | None, inputs: list[str], make: Callable[[], Block]) -> Block:
    """The block of these inputs: kept, else made (and kept, unless the inputs are not
    all known)."""
    if known is None or not all(inputs):
        return make()
    made: list[Block] = []

    def write(out: Out) -> None:
        made.append(make())
        out.write(encode(made[0]))

    data = known.kept.read(known.kept.key(FORMAT, *inputs), write)
    return made[0] if made else decode(data) or make()


def pages_block(pages: Mapping[str, bytes], known: Known | None) -> Block:
    """The hand-written pages' records (their Markdown alone)."""
    digest = hashlib.sha256()
    for path, content in sorted(pages.items()):
        if path.endswith(".md"):
            digest.update(f"{len(path)} {path} {len(content)}\n".encode() + content)
    return _kept(known, ["pages", digest.hexdigest()],
                 lambda: block_of(handwritten_records(pages)))


def questions_block(data: SurveyData, known: Known | None) -> Block:
    """One survey's question records (made from its data alone)."""
    key = data.survey.key
    files = known.files.get(key, "") if known else ""
    return _kept(known, ["questions", key, files], lambda: block_of(question_records(data)))


def answers_block(data: SurveyData, names: Mapping[str, str], known: Known | None) -> Block:
    """One survey's answer records (its data and the owners' names)."""
    key = data.survey.key
    files, named = (known.files.get(key, ""), known.names_digest) if known else ("", "")
    return _kept(known, ["answers", key, files, named],
                 lambda: block_of(answer_records(data, names)))
