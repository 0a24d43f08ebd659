"""The site's search: records made from the store (records.py), written as a static index
sharded by term and by record (index.py), which docs/assets/search.js loads per query."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from builder.core.model import Store
from builder.publish.search.index import index_files
from builder.publish.search.records import all_records
from builder.publish.write import FileInfo, StreamedFiles


def search_files(store: Store, handwritten: Mapping[str, bytes]) -> dict[str, bytes]:
    """The index files (search/...) of the store's records and the hand-written pages."""
    return index_files(all_records(store, handwritten))


def write_search(store: Store, handwritten: Mapping[str, bytes],
                 work_dir: Path) -> tuple[dict[str, FileInfo], list[str]]:
    """search_files written into the work folder (a file whose bytes did not change is
    not rewritten): every file's FileInfo, and the paths written."""
    files = search_files(store, handwritten)
    out = StreamedFiles(work_dir)
    out.plan(files)
    for path, data in files.items():
        with out.open(path) as sink:
            sink.write(data)
    return out.files, out.written
