"""pages.showing: the files that show one answer, rendered alone, equal a full render.

A real store (the golden fixture, imported twice), then a re-import in which one CA owner
changed one answer: every file that differs from the render before must be among the
files pages_showing names or the archive pages whose entries changed
(changes.archive_digests), and those files rendered alone must be byte for byte what the
full render makes. (A new file means a whole render: touched.to_render.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.core.model import Store
from builder.core.text import canonical_key
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import TEMPLATES_DIR
from builder.publish.history_view import SHOWN_DIFFS, history_page
from builder.publish.pages import changes
from builder.publish.pages.changes import archive_digests
from builder.publish.pages.showing import pages_showing
from builder.publish.pages.site import SiteIndex
from builder.publish.paths import question_page
from builder.publish.render import render_pages, render_site
from builder.store.records import load_store

INPUT = Path(__file__).resolve().parents[1] / "golden" / "input"
OWNER = "Fictitious Beta Trust"


def golden_store(data: Path) -> None:
    import_source(str(INPUT / "v1.json"), data, LoadOptions(), observed_at="2099-06-10T08:00:00Z")
    import_source(str(INPUT / "v2.json"), data, LoadOptions(), observed_at="2099-07-02T08:00:00Z")


def resubmit(data: Path, question_id: str, text: str, day: int) -> None:
    """Import v2 again with OWNER's answer to question_id replaced by text."""
    rows = json.loads((INPUT / "v2.json").read_text())
    hits = [r for r in rows if r["question_id"] == question_id and r["ca_owner"] == OWNER]
    assert len(hits) == 1
    hits[0]["response"] = text
    export = data.parent / f"edit-{day}.json"
    export.write_text(json.dumps(rows))
    import_source(str(export), data, LoadOptions(), observed_at=f"2099-08-{day:02d}T08:00:00Z")


def archives_changed(before: Store, after: Store) -> set[str]:
    old, new = archive_digests(SiteIndex.of(before)), archive_digests(SiteIndex.of(after))
    return {page for page, digest in new.items() if old.get(page) != digest}


@pytest.mark.parametrize(("question_id", "edits"), [
    ("Q099004", 1),  # a free-text answer
    ("Q099002", 1),  # an ACTION 1 COMMENTS answer: shown on Q099001's page too
    ("Q099004", SHOWN_DIFFS + 1),  # long enough for a history page of its own
])
def test_a_changed_answers_pages_rendered_alone_equal_a_full_render(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question_id: str, edits: int) -> None:
    monkeypatch.setattr(changes, "CHANGES_PER_PAGE", 5)  # archive pages, none added
    data = tmp_path / "data"
    golden_store(data)
    for day in range(1, edits):
        resubmit(data, question_id, f"Edited answer number {day}.", day)
    old_store = load_store(data)
    before = render_pages(old_store, TEMPLATES_DIR)
    resubmit(data, question_id, "The last edit of this answer.", edits)
    store = load_store(data)
    after = render_pages(store, TEMPLATES_DIR)
    survey_key = next(iter(store.surveys))
    showing = pages_showing(SiteIndex.of(store), survey_key, question_id, canonical_key(OWNER))
    showing |= archives_changed(old_store, store)  # what touched.to_render adds

    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed, "the edit changed nothing: the test would prove nothing"
    assert changed <= showing, sorted(changed - showing)
    assert showing <= after.keys(), sorted(showing - after.keys())
    alone = render_site(SiteIndex.of(store), TEMPLATES_DIR, only=showing)
    assert alone == {p: after[p] for p in showing}
    if question_id == "Q099002":
        assert question_page(survey_key, "Q099001") in changed
    if edits > SHOWN_DIFFS:
        assert history_page(survey_key, question_id, canonical_key(OWNER)) in changed


def test_only_renders_just_the_pages_asked_for(tmp_path: Path) -> None:
    data = tmp_path / "data"
    golden_store(data)
    store = load_store(data)
    full = render_pages(store, TEMPLATES_DIR)
    wanted = {"index.md", "downloads/index.md", "feeds/all.xml", "no/such/page.md"}
    assert render_pages(store, TEMPLATES_DIR, only=wanted) == {
        p: full[p] for p in wanted if p in full}
    assert "downloads/index.md" in full and "no/such/page.md" not in full


def test_a_back_dated_import_renders_every_changes_page_it_shifts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import observed before others (`--observed-at` in the past) puts its change
    among older ones: every changes page from its block to the newest shifts."""
    monkeypatch.setattr(changes, "CHANGES_PER_PAGE", 2)
    data = tmp_path / "data"
    golden_store(data)
    for day in range(1, 4):
        resubmit(data, "Q099004", f"Edited answer number {day}.", 10 + day)
    old_store = load_store(data)
    before = render_pages(old_store, TEMPLATES_DIR)
    rows = json.loads((INPUT / "v2.json").read_text())
    hit = next(r for r in rows if r["question_id"] == "Q099004" and r["ca_owner"] == OWNER)
    hit["response"] = "An answer seen long ago, imported late."
    export = tmp_path / "late.json"
    export.write_text(json.dumps(rows))
    import_source(str(export), data, LoadOptions(), observed_at="2099-06-20T08:00:00Z")
    store = load_store(data)
    after = render_pages(store, TEMPLATES_DIR)
    survey_key = next(iter(store.surveys))
    showing = pages_showing(SiteIndex.of(store), survey_key, "Q099004", canonical_key(OWNER))
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert before.keys() == after.keys()  # no page added: an incremental render
    shifted = archives_changed(old_store, store)
    assert len(shifted) >= 3, sorted(changed)  # more than the two newest archives
    assert {p for p in changed if "changes" in p} - showing == shifted
    assert changed <= showing | shifted, sorted(changed - showing - shifted)
