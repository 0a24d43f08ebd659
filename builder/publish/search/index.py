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


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def postings(records: list[Record]) -> dict[str, list[int]]:
    """term -> ascending ids of the records it appears in (title, text or context words)."""
    found: dict[str, list[int]] = defaultdict(list)
    for record_id, record in enumerate(records):
        words = terms(record.title) + terms(record.text) + terms(record.terms_from)
        for term in set(words):
            found[term].append(record_id)
    return found


def _shown(record: Record) -> list[object]:
    text = record.text if len(record.text) <= SHOWN_TEXT \
        else record.text[:SHOWN_TEXT].rsplit(" ", 1)[0] + " …"
    return [KINDS.index(record.kind), record.title, record.context, record.url, text]


def _shard_name(term: str) -> str:
    return term[:PREFIX].encode("utf-8").hex()


def term_files(found: dict[str, list[int]]) -> dict[str, bytes]:
    """t/<hex of the first letters>.json and p/<n>.json for the terms of many runs."""
    shards: dict[str, dict[str, object]] = defaultdict(dict)
    files: dict[str, bytes] = {}
    for term in sorted(found):
        encoded = runs(found[term])
        if len(encoded) > 2 * INLINE_RUNS:
            number = len(files)
            files[f"{FOLDER}/p/{number}.json"] = _dump(encoded)
            shards[_shard_name(term)][term] = {"f": number, "n": len(found[term])}
        else:
            shards[_shard_name(term)][term] = encoded
    files.update({f"{FOLDER}/t/{name}.json": _dump(shard) for name, shard in shards.items()})
    return files


def record_files(records: list[Record]) -> dict[str, bytes]:
    return {f"{FOLDER}/d/{start // RECORDS_PER_SHARD}.json":
            _dump([_shown(r) for r in records[start:start + RECORDS_PER_SHARD]])
            for start in range(0, len(records), RECORDS_PER_SHARD)}


def index_files(records: Iterable[Record]) -> dict[str, bytes]:
    """Every file of the index, by docs-relative path; meta.json names their version."""
    ordered = list(records)
    files = {**term_files(postings(ordered)), **record_files(ordered)}
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path])
    files[f"{FOLDER}/meta.json"] = _dump({
        "version": digest.hexdigest()[:16], "records": len(ordered),
        "per_shard": RECORDS_PER_SHARD, "prefix": PREFIX, "max_term": MAX_TERM,
        "shards": sorted(path[len(FOLDER) + 3:-5] for path in files  # no request for a 404
                         if path.startswith(f"{FOLDER}/t/")),
        "stop": list(STOP_WORDS), "kinds": list(KINDS)})
    return files
