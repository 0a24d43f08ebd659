"""The search index as static files under search/, made before MkDocs runs (it copies them).

A query downloads meta.json, one term shard per word (terms sharing their first two
letters), the posting file of any word found in very many records, and the record shards
of the results it shows: never the whole index. Postings are runs of consecutive record
ids, and ids follow result order (records.KINDS), so the answers to one question, which
share their words, are long runs that cost a few bytes. Paths are made from numbers and
hex digits only: no text from the data ever names a file.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from builder.publish.search.records import KINDS, SHOWN_TEXT, Record

FOLDER = "search"
RECORDS_PER_SHARD = 40
PREFIX = 2
"""Letters of a term that choose its shard (so the shard also serves prefix queries)."""
MAX_TERM = 40
INLINE_RUNS = 120
"""A term with more runs than this gets a posting file of its own."""
STOP_WORDS = ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is",
              "it", "of", "on", "or", "our", "the", "this", "to", "we", "with")
"""Not indexed: in nearly every answer, they would only add bytes to every query."""
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1 << 16)  # answers, names and labels repeat a lot
def terms(text: str) -> tuple[str, ...]:
    """Lower-case words without accents (docs/assets/search.js does the same to a query)."""
    if text.isascii():
        return tuple(word[:MAX_TERM] for word in _WORD.findall(text.lower())
                     if word not in STOP_WORDS)
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not unicodedata.combining(c)).lower()
    return tuple(word[:MAX_TERM] for word in _WORD.findall(folded) if word not in STOP_WORDS)


def runs(ids: list[int]) -> list[int]:
    """Sorted ids as [gap, length, gap, length, ...]: gap from the end of the last run."""
    out: list[int] = []
    end = 0
    for record_id in ids:
        if out and record_id == end:
            out[-1] += 1
        else:
            out += [record_id - end, 1]
        end = record_id + 1
    return out


SPAN = re.compile(r"[0-9]+,[0-9]+|[0-9]+(?:,[0-9]+){6,}")
"""A term's records in one block of consecutive records, as text (`span`): the runs
(`runs`) from the block's start, 'GAP,LENGTH' when there is one, else 'RECORDS,RUNS,GAP,
FIRST,LAST,END,MIDDLE': how many records and runs, the first run's gap and length, the last
run's length, where it ends, then the runs between as they are written. Blocks join
without their middles being read again (`joined`); text, not lists, keeps a kept block
cheap to read back (nothing for the garbage collector to track)."""


@dataclass(frozen=True)
class Block:
    """Consecutive records: each as its result shows it (JSON) and the spans of its terms."""

    lines: list[bytes]
    spans: dict[str, str]
    """Term -> its SPAN in this block."""


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""json.dumps with these options, without making an encoder per call."""


def _dump(value: object) -> bytes:
    return _JSON.encode(value).encode("utf-8")


def _shown(record: Record) -> list[object]:
    text = record.text if len(record.text) <= SHOWN_TEXT \
        else record.text[:SHOWN_TEXT].rsplit(" ", 1)[0] + " …"
    return [KINDS.index(record.kind), record.title, record.context, record.url, text]


def span(ids: list[int]) -> str:
    encoded = runs(ids)
    if len(encoded) == 2:
        return f"{encoded[0]},{encoded[1]}"
    middle = ",".join(map(str, encoded[2:-1]))
    return f"{len(ids)},{len(encoded) // 2},{encoded[0]},{encoded[1]},{encoded[-1]}," \
        f"{sum(encoded)},{middle}"


def block_of(records: Iterable[Record]) -> Block:
    """The block of these records: a term is in a record's title, text or context words."""
    lines: list[bytes] = []
    found: dict[str, list[int]] = defaultdict(list)
    for record_id, record in enumerate(records):
        lines.append(_dump(_shown(record)))
        for term in set(terms(record.title) + terms(record.text) + terms(record.terms_from)):
            found[term].append(record_id)
    return Block(lines, {term: span(ids) for term, ids in found.items()})


def joined(starts: list[int], spans: list[str]) -> tuple[str, int, int]:
    """A term's runs over the whole index as JSON (what `runs` makes of all its ids), how
    many records and runs, from its spans in the blocks starting at these ids."""
    parts: list[str] = []
    last = end = count = many = 0  # last: the length of the last run, not yet written
    for start, text in zip(starts, spans, strict=True):
        fields = text.split(",", 6)
        if len(fields) == 2:
            gap, first = int(fields[0]), int(fields[1])
            records, number, final, stop, middle = first, 1, first, gap + first, ""
        else:
            records, number, gap, first, final, stop = map(int, fields[:6])
            middle = fields[6]
        gap += start - end
        count += records
        many += number
        if last and not gap:  # a run goes on across the blocks' border
            many -= 1
            first += last
        elif last:
            parts += (str(last), str(gap))
        else:
            parts.append(str(gap))
        if number == 1:
            last = first
        else:
            parts += (str(first), middle)
            last = final
        end = start + stop
    parts.append(str(last))
    return "[" + ",".join(parts) + "]", count, many


class Index:
    """The index files of blocks added in id order: the record shards as they fill, the
    term shards and posting files at the end (a block's lines are not kept)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.starts: dict[str, list[int]] = defaultdict(list)
        self.spans: dict[str, list[str]] = defaultdict(list)
        self.records = 0
        self.waiting: list[bytes] = []

    def add(self, block: Block) -> None:
        for term, found in block.spans.items():
            self.starts[term].append(self.records)
            self.spans[term].append(found)
        self.records += len(block.lines)
        self.waiting += block.lines
        full = len(self.waiting) - len(self.waiting) % RECORDS_PER_SHARD
        self._shards(full)

    def _shards(self, upto: int) -> None:
        first = (self.records - len(self.waiting)) // RECORDS_PER_SHARD
        for n, start in enumerate(range(0, upto, RECORDS_PER_SHARD), start=first):
            shard = self.waiting[start:start + RECORDS_PER_SHARD]
            self.files[f"{FOLDER}/d/{n}.json"] = b"[" + b",".join(shard) + b"]"
        del self.waiting[:upto]

    def finish(self) -> dict[str, bytes]:
        """Every file of the index, by docs-relative path; meta.json names their version."""
        self._shards(len(self.waiting))
        files = {**self._term_files(), **self.files}
        digest = hashlib.sha256()
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + files[path])
        files[f"{FOLDER}/meta.json"] = _dump({
            "version": digest.hexdigest()[:16], "records": self.records,
            "per_shard": RECORDS_PER_SHARD, "prefix": PREFIX, "max_term": MAX_TERM,
            "shards": sorted(path[len(FOLDER) + 3:-5] for path in files  # no request for a 404
                             if path.startswith(f"{FOLDER}/t/")),
            "stop": list(STOP_WORDS), "kinds": list(KINDS)})
        return files

    def _term_files(self) -> dict[str, bytes]:
        """t/<hex of the first letters>.json and p/<n>.json for the terms of many runs."""
        shards: dict[str, list[str]] = defaultdict(list)  # by the term's first letters
        files: dict[str, bytes] = {}
        for term in sorted(self.spans):
            encoded, count, many = joined(self.starts[term], self.spans[term])
            if many > INLINE_RUNS:
                number = len(files)
                files[f"{FOLDER}/p/{number}.json"] = encoded.encode()
                encoded = f'{{"f":{number},"n":{count}}}'
            # json.dumps of a word of letters and digits only is the word in quotes
            key = f'"{term}"' if term.isalnum() else json.dumps(term, ensure_ascii=False)
            shards[term[:PREFIX]].append(f"{key}:{encoded}")
        files.update({f"{FOLDER}/t/{prefix.encode().hex()}.json":
                      ("{" + ",".join(shard) + "}").encode("utf-8")
                      for prefix, shard in shards.items()})
        return files


def index_files(records: Iterable[Record]) -> dict[str, bytes]:
    """Every file of the index of these records, in this order (their ids)."""
    index = Index()
    index.add(block_of(records))
    return index.finish()
