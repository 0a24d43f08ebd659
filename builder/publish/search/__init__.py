"""The site's search: records made from the store (records.py), written as a static index
sharded by term and by record (index.py), which docs/assets/search.js loads per query.
A survey's share of the index is kept between builds (kept.py) and made again only when
its data changed."""

from __future__ import annotations

from collections.abc import Mapping

from builder.core.model import Store
from builder.publish.owners import owner_names
from builder.publish.paths import surveys_newest_first
from builder.publish.search.index import Index, block_of
from builder.publish.search.kept import (
    SEARCH_PIECES,
    Kept,
    Known,
    answers_block,
    pages_block,
    questions_block,
)
from builder.publish.search.records import (
    all_owner_names,
    ca_information_records,
    owner_records,
    split_pages,
    survey_records,
)

__all__ = ["SEARCH_PIECES", "Kept", "Known", "search_files"]


def search_files(store: Store, handwritten: Mapping[str, bytes],
                 known: Known | None = None) -> dict[str, bytes]:
    """The index files (search/...) of the store's records and the hand-written pages, in
    result order (records.KINDS). With `known`, the surveys' questions and answers come
    from the pieces kept by the last builds where their data did not change."""
    names = owner_names(store) if known is None else known.names
    surveys = surveys_newest_first(store)
    pages, pages_last = split_pages(handwritten)
    index = Index()
    index.add(block_of(owner_records(all_owner_names(store, names))))  # made each build:
    index.add(block_of(ca_information_records(store.ca_information)))  # a few records
    index.add(pages_block(pages, known))
    index.add(block_of(survey_records(surveys)))
    for data in surveys:
        index.add(questions_block(data, known))
    for data in surveys:
        index.add(answers_block(data, names, known))
    index.add(pages_block(pages_last, known))
    if known is not None:
        known.kept.gc()
    return index.finish()
