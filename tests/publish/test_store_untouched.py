"""A build only reads the store: its records (frozen, but holding lists and dicts) come
out of every step of a build as they went in, in the same order. The store cache seals a
survey when it is read and the downloads' process shares the loaded store with the
pages' (fork): a step that sorted a survey's history in place, say, would make what a
page shows depend on which process made it, or on what ran before it."""

from __future__ import annotations

import copy
from pathlib import Path

from builder.core.model import Store
from builder.publish import steps
from builder.publish.build import TEMPLATES_DIR
from builder.publish.opendata.produce import write_downloads
from builder.publish.render import iter_site
from builder.publish.search import search_files
from builder.store.records import load_store
from builder.tools import bench
from builder.tools.demo import write_demo


def _as_read(store: Store) -> list[object]:
    """Everything the store holds, in its order (dict order included: `==` of two dicts
    ignores it, a page's order does not)."""
    return [(key, data.survey, list(data.questions.items()), list(data.answers.items()),
             list(data.history)) for key, data in store.surveys.items()]


def test_no_step_of_a_build_changes_the_records_it_reads(tmp_path: Path) -> None:
    write_demo(tmp_path / "data", "small")
    bench.change_one_answer(tmp_path / "data")  # an edited answer: a history to show
    store = load_store(tmp_path / "data")
    read = copy.deepcopy(_as_read(store))
    write_downloads(store, tmp_path / "work")
    assert _as_read(store) == read, "the downloads"
    planned = steps.plan_pages(store, None, dict)
    assert _as_read(store) == read, "planning the pages"
    for _path, _text in iter_site(planned.site, TEMPLATES_DIR, pages=planned.pages):
        pass
    assert _as_read(store) == read, "the pages"
    search_files(store, {})
    assert _as_read(store) == read, "the search index"
