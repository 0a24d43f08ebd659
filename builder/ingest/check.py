"""`builder validate`: every file of data/ checked, every problem listed at once.

The store (builder.store.records.load_store) and the two files of data/ that only
`builder fetch` reads: the sources to fetch (`sources.json`) and the fetch state
(`fetch-state.json`). A broken one would otherwise be found only by the next daily
fetch, after a validate that said "ok".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from builder.core.errors import InputRejected, Issue
from builder.core.model import Store
from builder.ingest.fetch import STATE_FILE, read_state
from builder.ingest.sources import SOURCES_FILE, Source, read_sources
from builder.store.records import load_store

T = TypeVar("T")


@dataclass(frozen=True)
class Checked:
    store: Store
    sources: list[Source] | None
    """The sources of sources.json; None when data/ has none (only fetch needs one)."""


def check_data(data_dir: Path) -> Checked:
    """Read and check every file of data_dir; InputRejected lists every problem of all
    of them (the store's first, then sources.json's, then the fetch state's)."""
    issues: list[Issue] = []
    store = _collect(lambda: load_store(data_dir, must_exist=True), issues)
    sources = (_collect(lambda: read_sources(data_dir / SOURCES_FILE), issues)
               if (data_dir / SOURCES_FILE).exists() else None)
    _collect(lambda: read_state(data_dir / STATE_FILE), issues)
    if issues or store is None:
        raise InputRejected(issues)
    return Checked(store, sources)


def _collect(read: Callable[[], T], issues: list[Issue]) -> T | None:
    try:
        return read()
    except InputRejected as rejected:
        issues += rejected.issues
        return None
