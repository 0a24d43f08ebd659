"""A blank answer is no answer given: every page that counts answers leaves it out (one
rule, builder/publish/pages/cells.given), and the owner page names it apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

from builder.ingest.formats import Format, LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import TEMPLATES_DIR
from builder.publish.owners import owner_names
from builder.publish.paths import owner_page
from builder.publish.render import render_pages
from builder.store.records import load_store


def record(owner: str, question: str, response: str) -> dict[str, object]:
    return {"survey": "Counts survey", "survey_id": None, "question_id": question,
            "question_order": int(question[-1]),
            "question_type": "Free Text (Multi line text box)", "question_text": "Why?",
            "ca_owner": owner, "response": response, "option_number": None,
            "submitted_at": None}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_blank_answers_are_not_counted_on_any_page(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps([
        record("Acme CA", "Q00001", "Because."), record("Acme CA", "Q00002", ""),
        record("Blank CA", "Q00001", ""), record("Blank CA", "Q00002", "  "),
        record("Other CA", "Q00001", "Yes."), record("Other CA", "Q00002", "No.")]))
    import_source(str(export), tmp_path / "data", LoadOptions(Format.JSON),
                  observed_at="2024-01-01T00:00:00Z")
    store = load_store(tmp_path / "data")
    pages = render_pages(store, TEMPLATES_DIR)
    keys = {name: key for key, name in owner_names(store).items()}
    home, surveys, owners = (text_of(pages[p]) for p in
                             ("index.md", "surveys/index.md", "owners/index.md"))
    assert "Counts survey" in home and " 3 " in home.split("Counts survey", 1)[1][:80], home
    assert " 3 " in surveys.split("Counts survey", 1)[1][:80], surveys
    for name, given in (("Acme CA", 1), ("Blank CA", 0), ("Other CA", 2)):
        assert re.search(rf"{name} {given} ", owners), (name, owners)
    acme_page, blank_page = (pages[owner_page(keys[n])] for n in ("Acme CA", "Blank CA"))
    acme = text_of(acme_page)
    assert "(1 answer in the export, and 1 question left blank)" in acme, acme
    # The survey's own section counts by the same rule (it said "2 answers" here).
    assert "<summary>1 answer, 1 question left blank</summary>" in acme_page
    blank = text_of(blank_page)
    assert "Surveys answered 0 of 1 survey in this record (0 answers in the export, and " \
           "2 questions left blank)" in blank, blank
    assert "<summary>0 answers, 2 questions left blank</summary>" in blank_page
    other = text_of(pages[owner_page(keys["Other CA"])])
    assert "(2 answers in the export)" in other, other
    assert "<summary>2 answers</summary>" in pages[owner_page(keys["Other CA"])]
