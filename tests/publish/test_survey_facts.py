"""The facts at the top of a survey page: a survey read from two reports names both under
one "Sources" term (it showed two terms, each "Source"); one report is one "Source"."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path

from builder.ingest.formats import Format, LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import TEMPLATES_DIR
from builder.publish.paths import survey_page
from builder.publish.render import render_pages
from builder.store.records import load_store

REPORT = "https://ccadb.example/CACommResponsesOnlyReport?CommunicationId=a05&QuestionId="


def facts(page: str) -> list[tuple[str, list[str]]]:
    """Each term of the page's facts list with its values (their text)."""
    block = re.search(r'<dl class="csr-facts">(.*?)</dl>', page, re.DOTALL)
    assert block, page[:400]
    out: list[tuple[str, list[str]]] = []
    for tag, text in re.findall(r"<(dt|dd)>(.*?)</\1>", block.group(1), re.DOTALL):
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        if tag == "dt":
            out.append((plain, []))
        else:
            out[-1][1].append(plain)
    return out


def test_two_sources_are_one_term_with_two_values_and_one_source_is_one(
        tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{
        "survey": "Sources survey", "survey_id": None, "question_id": "Q00001",
        "question_order": 1, "question_type": "Free Text (Multi line text box)",
        "question_text": "Why?", "ca_owner": "Acme CA", "response": "Because.",
        "option_number": None, "submitted_at": None}]))
    import_source(str(export), tmp_path / "data", LoadOptions(Format.JSON),
                  observed_at="2024-01-01T00:00:00Z")
    store = load_store(tmp_path / "data")
    (key, data), = store.surveys.items()
    shown = {}
    for urls in ((f"{REPORT}Q00001",), (f"{REPORT}Q00001", f"{REPORT}Q00002")):
        store.surveys[key] = replace(data, survey=replace(data.survey, source_urls=urls))
        page = render_pages(store, TEMPLATES_DIR)[survey_page(key)]
        shown[len(urls)] = [(term, values) for term, values in facts(page)
                            if term.startswith("Source")]
    assert shown[1] == [("Source", [f"{REPORT}Q00001"])]
    assert shown[2] == [("Sources", [f"{REPORT}Q00001", f"{REPORT}Q00002"])]
