"""The site's search: records made from the store (records.py), written as a static index
sharded by term and by record (index.py), which docs/assets/search.js loads per query."""

from __future__ import annotations

from collections.abc import Mapping

from builder.core.model import Store
from builder.publish.search.index import index_files
from builder.publish.search.records import all_records


def search_files(store: Store, handwritten: Mapping[str, bytes]) -> dict[str, bytes]:
    """The index files (search/...) of the store's records and the hand-written pages."""
    return index_files(all_records(store, handwritten))

