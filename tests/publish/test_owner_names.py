"""One display name per CA owner: the pages and the ca_owners download agree, also for an
owner known only from the history (every answer withdrawn)."""

from __future__ import annotations

import json
from pathlib import Path

from builder.ingest.formats import Format, LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import TEMPLATES_DIR
from builder.publish.opendata.tables import table_rows
from builder.publish.owners import owner_names
from builder.publish.paths import owner_page
from builder.publish.render import render_pages
from builder.store.records import load_store


def record(owner: str, response: str) -> dict[str, object]:
    return {"survey": "Names survey", "survey_id": None, "question_id": "Q00001",
            "question_order": 1, "question_type": "Free Text (Multi line text box)",
            "question_text": "Why?",
            "ca_owner": owner, "response": response, "option_number": None,
            "submitted_at": None}


def imported(data: Path, tmp_path: Path, at: str, *records: dict[str, object]) -> None:
    path = tmp_path / f"export-{at[:10]}.json"
    path.write_text(json.dumps(list(records)))
    import_source(str(path), data, LoadOptions(Format.JSON), observed_at=at,
                  allow_withdraw=True)


def test_an_owner_known_only_from_history_has_one_name_everywhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    other = record("Other CA", "Because.")
    imported(data, tmp_path, "2024-01-01T00:00:00Z", record("Acme CA", "First."), other)
    imported(data, tmp_path, "2024-02-01T00:00:00Z", record("Acme  CA", "Second."), other)
    imported(data, tmp_path, "2024-03-01T00:00:00Z", other)  # Acme withdrawn
    store = load_store(data)
    (key,) = [k for k, name in owner_names(store).items() if name != "Other CA"]
    assert owner_names(store)[key] == "Acme  CA"  # its latest spelling, not its first
    downloads = {r["ca_owner_key"]: r["name"] for r in table_rows(store)["ca_owners"]}
    page = render_pages(store, TEMPLATES_DIR)[owner_page(key)]
    assert downloads[key] == "Acme  CA"
    assert page.split("---")[1].strip().splitlines()[0] == '"title": "Acme  CA"'

