"""Open data downloads: valid Data Package, counts that agree with the store, safe CSV,
exact JSON, a SQLite file ready for sqlite3 and Datasette, the same bytes every time,
and a JSON that imports back into the store it came from."""

from __future__ import annotations

import csv
import gc
import gzip
import hashlib
import io
import json
import os
import posixpath
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from frictionless import Package

from builder.core.model import (
    MULTI,
    RECORD_FIELDS,
    SINGLE,
    Answer,
    Question,
    Store,
    Survey,
    SurveyData,
)
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import TEMPLATES_DIR, build_site
from builder.publish.opendata.cells import spreadsheet_safe
from builder.publish.opendata.files import fts5_available
from builder.publish.opendata.layout import SQLITE_FILE
from builder.publish.opendata.pieces import Pieces
from builder.publish.opendata.produce import render_downloads, write_downloads
from builder.publish.opendata.tables import answer_records
from builder.publish.pages.downloads import human_size
from builder.publish.paths import url_of
from builder.publish.render import render_pages
from builder.store.records import load_store, survey_dir_name
from builder.tools.demo import write_demo
from conftest import ROOT, Project, make_project
from hostile_data import hostile_export

FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A2)", "\tTAB first", "\rCR first"]
"""Answers that begin like a spreadsheet formula."""
NUMBERS = ["-5", "+1.5", "-0.25e3", "42"]
"""Plain numbers: left as they are."""


def csv_export() -> list[dict[str, object]]:
    """A json export whose texts start like formulas, plus the guide's hostile text."""
    rows = hostile_export()
    base = {"survey": "=CSV survey", "survey_id": "a05o000003WrzBC", "question_order": 1,
            "submitted_at": "2024-05-01"}
    for i, text in enumerate(FORMULAS + NUMBERS):
        rows.append(base | {"question_id": "Q00001", "question_type": "Free Text (Multi line "
                            "text box)", "question_text": "-ACTION 1: formulas?",
                            "ca_owner": f"@Owner {i}", "response": text, "option_number": None})
    for owner, picks in (("Multi CA", [1, 3]), ("Other CA", [2])):
        for number in picks:
            rows.append(base | {"question_id": "Q00002", "question_order": 2,
                                "question_type": MULTI, "question_text": "Which ones?",
                                "ca_owner": owner, "response": ["=one", "two", "-5"][number - 1],
                                "option_number": number})
    return rows


def write_store(folder: Path, export: list[dict[str, object]]) -> Path:
    source = folder.with_suffix(".json")
    source.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    import_source(str(source), folder, LoadOptions(), observed_at="2026-01-01T00:00:00Z")
    return folder


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("stores")
    write_demo(root / "demo", "small")
    return {"real": ROOT / "data", "demo": root / "demo",
            "hostile": write_store(root / "hostile", csv_export())}


def unpack(files: dict[str, bytes], folder: Path) -> Path:
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder / "downloads"


def plain(files: dict[str, bytes], path: str) -> bytes:
    """A download's content: path is relative to downloads/, a .gz file is unpacked."""
    data = files[f"downloads/{path}"]
    return gzip.decompress(data) if path.endswith(".gz") else data


def open_sqlite(files: dict[str, bytes], folder: Path) -> sqlite3.Connection:
    path = folder / SQLITE_FILE
    path.write_bytes(plain(files, SQLITE_FILE + ".gz"))
    return sqlite3.connect(path)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def chosen(answers: Any) -> int:
    """Answer records (one per chosen option) the store's answers make."""
    return sum(max(1, len(a.values)) for a in answers)


def expected_rows(store: Store) -> dict[str, int]:
    """Rows each tabular file must hold, from the store itself."""
    surveys = list(store.surveys.values())
    owners = {a.owner_key for d in surveys for a in d.answers.values()} | {
        c.owner_key for d in surveys for c in d.history}
    tables = {"surveys": len(surveys), "questions": sum(len(d.questions) for d in surveys),
              "options": sum(len(q.options) for d in surveys for q in d.questions.values()),
              "ca_owners": len(owners),
              "answers": sum(chosen(d.answers.values()) for d in surveys),
              "history": sum(len(d.history) for d in surveys)}
    out = {f"tables/{name}.csv.gz": count for name, count in tables.items()}
    if tables["answers"]:  # a file of answer records holds at least one
        out["answers.csv.gz"] = out["answers.json.gz"] = tables["answers"]
    for d in surveys:
        folder = f"surveys/{survey_dir_name(d.survey.key)}"
        if d.answers:
            out[f"{folder}/answers.csv.gz"] = out[f"{folder}/answers.json.gz"] = chosen(
                d.answers.values())
        for q in d.questions.values():
            if count := chosen(a for a in d.answers.values() if a.question_id == q.id):
                out[f"{folder}/{q.id.lower()}.csv"] = count
    return out


# -- CSV safety ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", FORMULAS + ["-", "--5", "- 5", "-٣", "=", "+"])
def test_cells_that_start_like_a_formula_get_an_apostrophe(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", NUMBERS + ["", "a=b", "'quoted", " =spaced", "1-2", "x@y"])
def test_other_cells_and_plain_numbers_are_left_alone(text: str) -> None:
    assert spreadsheet_safe(text) == text


def test_csv_is_neutralised_and_json_keeps_the_exact_text(stores, tmp_path: Path) -> None:
    store = load_store(stores["hostile"])
    files = render_downloads(store)
    rows = read_csv(plain(files, "answers.csv.gz"))
    records = json.loads(plain(files, "answers.json.gz"))
    assert list(rows[0]) == list(RECORD_FIELDS) and all(list(r) == list(RECORD_FIELDS)
                                                        for r in records)
    csv_responses = {r["response"] for r in rows}
    json_responses = {r["response"] for r in records}
    for text in FORMULAS:
        assert "'" + text in csv_responses and text not in csv_responses
        assert text in json_responses
    assert set(NUMBERS) <= csv_responses and set(NUMBERS) <= json_responses
    assert {"'@Owner 0", "'=CSV survey", "'-ACTION 1: formulas?"} <= {
        v for r in rows for v in r.values()}
    for field in RECORD_FIELDS:  # no CSV cell at all could start a formula
        assert not any(r[field].startswith(("=", "+", "-", "@", "\t", "\r")) and
                       r[field] not in NUMBERS for r in rows)
    # Exact text everywhere but in CSV: the JSON and SQLite hold what the store holds.
    stored = {v for d in store.surveys.values() for a in d.answers.values() for v in a.values}
    assert json_responses == stored
    db = open_sqlite(files, tmp_path)
    assert {r for (r,) in db.execute("SELECT response FROM answers")} == stored
    assert plain(files, "answers.csv.gz").startswith(b"survey,survey_id,")  # UTF-8, no BOM


def test_a_lone_surrogate_stays_exact_in_json_and_is_replaced_in_csv() -> None:
    """Text read from a JSON escape can hold one; UTF-8 cannot, a JSON escape can."""
    data = SurveyData(Survey("s", "S"))
    data.questions["Q00001"] = Question("s", "Q00001", 1, SINGLE, "Q?", ())
    data.answers[("Q00001", "x")] = Answer("s", "Q00001", "x", "X", ("a\ud800b",))
    files = render_downloads(Store({"s": data}))
    assert json.loads(plain(files, "answers.json.gz"))[0]["response"] == "a\ud800b"
    assert read_csv(plain(files, "answers.csv.gz"))[0]["response"] == "a\ufffdb"
    question = plain(files, f"surveys/{survey_dir_name('s')}/q00001.csv")
    assert read_csv(question)[0]["response"] == "a\ufffdb"


# -- Data Package -------------------------------------------------------------------------

FRICTIONLESS_LEAK = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning")
"""frictionless 5.21 leaves a gzipped JSON table's file open after reading it."""


def validate(descriptor: Path) -> Any:
    """frictionless's report on a Data Package; the files it left open are closed here,
    inside the test (marked FRICTIONLESS_LEAK), not in a later one."""
    report = Package(str(descriptor)).validate()
    gc.collect()
    return report


@FRICTIONLESS_LEAK
@pytest.mark.parametrize("name", ["real", "demo", "hostile"])
def test_data_package_is_valid_and_every_count_agrees_with_the_store(
        stores, name: str, tmp_path: Path) -> None:
    store = load_store(stores[name])
    files = render_downloads(store)
    folder = unpack(files, tmp_path)
    descriptor = json.loads(files["downloads/datapackage.json"])
    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type",
                                         "note"])[:20]

    # Every file is described (bar the package and its shared schema), with its size.
    paths = {r["path"] for r in descriptor["resources"]}
    assert paths == {p.removeprefix("downloads/") for p in files} - {
        "datapackage.json", "schemas/answer-records.json"}
    for resource in descriptor["resources"]:
        data = files[f"downloads/{resource['path']}"]
        if "bytes" in resource:
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()

    # Rows: from frictionless's own reading, from ours, from dataset.json and from SQLite.
    expected = expected_rows(store)
    by_name = {r["name"]: r["path"] for r in descriptor["resources"]}
    for task in report.tasks:
        if task.stats.get("rows") is not None:
            assert task.stats["rows"] == expected[by_name[task.name]], task.name
    for path, count in expected.items():
        data = plain(files, path)
        found = len(read_csv(data)) if ".csv" in path else len(json.loads(data))
        assert found == count, path
    dataset = json.loads(plain(files, "dataset.json.gz"))
    db = open_sqlite(files, tmp_path)
    for table in ("surveys", "questions", "options", "ca_owners", "answers", "history"):
        count = expected[f"tables/{table}.csv.gz"]
        assert len(dataset[table]) == count
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (count,)

    assert descriptor["licenses"][0]["name"] == "CDLA-Permissive-2.0"
    assert "Common CA Database (CCADB)" in {s["title"] for s in descriptor["sources"]}
    answers = next(r for r in descriptor["resources"] if r["name"] == "answers")
    assert answers["schema"]["primaryKey"] == ["survey_slug", "question_id", "ca_owner_slug",
                                               "position"]
    assert {fk["reference"]["resource"] for fk in answers["schema"]["foreignKeys"]} == {
        "surveys", "questions", "ca-owners"}


@FRICTIONLESS_LEAK
def test_a_changed_file_fails_validation(stores, tmp_path: Path) -> None:
    """The sizes and checksums in datapackage.json are checked, also for SQLite."""
    files = render_downloads(load_store(stores["real"]))
    folder = unpack(files, tmp_path)
    changed = plain(files, SQLITE_FILE + ".gz") + b"x"  # still a gzip file, another one
    (folder / (SQLITE_FILE + ".gz")).write_bytes(gzip.compress(changed, mtime=0))
    report = validate(folder / "datapackage.json")
    assert {e[0] for e in report.flatten(["type"])} == {"hash-count", "byte-count"}


@FRICTIONLESS_LEAK
def test_an_empty_store_gives_the_empty_tables_and_no_answer_records(tmp_path: Path) -> None:
    files = render_downloads(Store())
    assert "downloads/answers.json.gz" not in files and "downloads/answers.csv.gz" not in files
    assert read_csv(plain(files, "tables/answers.csv.gz")) == []
    assert json.loads(plain(files, "dataset.json.gz"))["answers"] == []
    assert validate(unpack(files, tmp_path) / "datapackage.json").valid


# -- SQLite -------------------------------------------------------------------------------

def test_sqlite_has_keys_indexes_full_text_search_and_the_records_view(stores,
                                                                       tmp_path: Path) -> None:
    files = render_downloads(load_store(stores["demo"]))
    db = open_sqlite(files, tmp_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[5] for r in db.execute("PRAGMA table_info(answers)") if r[5]] == [1, 2, 3, 4]
    assert {r[2] for r in db.execute("PRAGMA foreign_key_list(answers)")} == {
        "surveys", "questions", "ca_owners"}
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"answers_by_ca_owner_slug", "history_by_ca_owner_slug"} <= indexes
    # The view gives back exactly the records of answers.json.
    db.row_factory = sqlite3.Row
    view = [dict(r) for r in db.execute("SELECT * FROM answer_records")]
    assert view == json.loads(plain(files, "answers.json.gz"))
    if not fts5_available():
        pytest.skip("this sqlite3 has no FTS5")
    # What Datasette looks for to offer search on the answers table.
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'answers_fts'").fetchone()
    assert re.search(r'VIRTUAL TABLE.*USING FTS5.*content="answers"', sql, re.IGNORECASE)
    hits = db.execute("SELECT a.response FROM answers_fts JOIN answers AS a "
                      "ON a.rowid = answers_fts.rowid WHERE answers_fts MATCH 'auditor'")
    responses = [r[0] for r in hits]
    assert responses and all("auditor" in r for r in responses)
    # The index, filled survey by survey, is that of its content table, row for row.
    db.execute("INSERT INTO answers_fts (answers_fts) VALUES ('integrity-check')")
    assert db.execute("SELECT count(*) FROM answers_fts").fetchone() == \
        db.execute("SELECT count(*) FROM answers").fetchone()


# -- the same data, the same bytes --------------------------------------------------------

DIGEST = ("import hashlib, sys; from pathlib import Path; "
          "from builder.store.records import load_store; "
          "from builder.publish.opendata.produce import render_downloads; "
          "files = render_downloads(load_store(Path(sys.argv[1]))); "
          "print(hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())")


def test_downloads_are_byte_identical_across_runs_and_processes(stores) -> None:
    files = render_downloads(load_store(stores["demo"]))
    assert render_downloads(load_store(stores["demo"])) == files
    digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()
    for seed in ("1", "2"):  # set and dict order must not leak into any file
        out = subprocess.run([sys.executable, "-c", DIGEST, str(stores["demo"])], check=True,
                             capture_output=True, text=True,
                             env=os.environ | {"PYTHONHASHSEED": seed})
        assert out.stdout.strip() == digest


# -- round trip ---------------------------------------------------------------------------

def import_numbers(answer: Answer, question: Question) -> tuple[int | None, ...]:
    """The option numbers an import gives an answer without any: each label's number."""
    options = question.options
    numbers = tuple(options.index(v) + 1 if v in options else None for v in answer.values)
    return numbers if any(numbers) else ()


@pytest.mark.parametrize("name", ["real", "demo", "hostile"])
def test_answers_json_imports_back_into_the_same_store(stores, name: str, tmp_path: Path,
                                                       cli) -> None:
    store = load_store(stores[name])
    export = tmp_path / "answers.json"
    export.write_bytes(plain(render_downloads(store), "answers.json.gz"))
    result = cli("import", export, "--format", "json", "--data", tmp_path / "store")
    assert result.exit_code == 0, result.output
    back = load_store(tmp_path / "store")
    answered = {k: d for k, d in store.surveys.items() if d.answers}
    assert set(back.surveys) == set(answered)  # a survey nobody answered has no records
    for key, data in answered.items():
        again = back.surveys[key]
        assert (again.survey.title, again.survey.communication_id) == (
            data.survey.title, data.survey.communication_id)
        assert {q.id: (q.order, q.type, q.text) for q in again.questions.values()} == {
            q.id: (q.order, q.type, q.text) for q in data.questions.values()
            if any(a.question_id == q.id for a in data.answers.values())}
        for q in again.questions.values():  # options: those that were chosen, by number
            assert all(not label or label == data.questions[q.id].options[i]
                       for i, label in enumerate(q.options))
        assert set(again.answers) == set(data.answers)
        for k, a in data.answers.items():
            b = again.answers[k]
            assert (b.owner_name, b.values, b.submitted_at) == (
                a.owner_name, a.values, a.submitted_at)
            if name == "demo" and not a.option_numbers:
                # The demo drops option numbers on re-submissions; an import finds them again.
                assert b.option_numbers == import_numbers(a, data.questions[a.question_id])
            else:
                assert b.option_numbers == a.option_numbers


def test_one_record_per_chosen_option_with_the_ten_keys() -> None:
    data = SurveyData(Survey("s", "S", "a05o000003WrzBC"))
    data.questions["Q00001"] = Question("s", "Q00001", 1, MULTI, "Which?", ("A", "B", "C"))
    data.questions["Q00002"] = Question("s", "Q00002", 2, SINGLE, "One?", ("Y", "N"))
    answers = [Answer("s", "Q00001", "x ca", "X CA", ("A", "C"), (1, 3)),
               Answer("s", "Q00002", "x ca", "X CA", ("N",), (2,), submitted_at="2024-01-01")]
    records = answer_records(data, answers)
    assert [(r["question_id"], r["response"], r["option_number"]) for r in records] == [
        ("Q00001", "A", 1), ("Q00001", "C", 3), ("Q00002", "N", 2)]
    assert all(tuple(r) == RECORD_FIELDS for r in records)
    assert records[2]["submitted_at"] == "2024-01-01" and records[0]["survey_id"] == (
        "a05o000003WrzBC")


# -- in the site --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_site(stores, tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("site") / "project")
    build_site(stores["demo"], docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


HREF = re.compile(r'<a href="([^"]+\.(?:csv|json)(?:\.gz)?)">(CSV|JSON)[^<]*</a>')


def test_survey_and_question_pages_link_their_csv_and_json(demo_site: Project) -> None:
    manifest = set(json.loads((demo_site.docs / ".generated-pages.json").read_text()))
    pages = [p for p in manifest if p.startswith("surveys/") and p.endswith(".md")
             and not re.search(r"/changes(-\d+)?\.md$", p) and p.count("/") == 2]
    assert len(pages) == 3 + 18
    for page in pages:
        links = HREF.findall((demo_site.docs / page).read_text(encoding="utf-8"))
        assert [kind for _, kind in links] == ["CSV", "JSON"], page
        for href, _ in links:
            target = posixpath.normpath(posixpath.join(url_of(page), href))
            assert target.startswith("downloads/surveys/") and target in manifest, page
            assert (demo_site.site / target).is_file()


def test_downloads_page_lists_every_file_with_size_and_checksum(demo_site: Project) -> None:
    page = (demo_site.docs / "downloads/index.md").read_text(encoding="utf-8")
    files = [p for p in (demo_site.docs / "downloads").rglob("*") if p.is_file()]
    assert len(files) > 30
    for path in files:
        rel = path.relative_to(demo_site.docs / "downloads").as_posix()
        if rel == "index.md":
            continue
        data = path.read_bytes()
        row = next((line for line in page.splitlines() if f'href="{rel}"' in line), None)
        assert row is not None, rel
        assert hashlib.sha256(data).hexdigest() in row
        assert human_size(len(data)).replace(".", "&#46;") in row
    assert (demo_site.site / "downloads/index.html").is_file()
    assert "Downloads: downloads/index.md" in (demo_site.config).read_text()


def test_the_page_sends_readers_of_answer_records_to_the_files_with_source_and_capture(
        demo_site: Project) -> None:
    """The ten-field answer records say nothing of where or when an answer was captured;
    the page names the tables that do, and they do, with a value in every row."""
    page = (demo_site.docs / "downloads/index.md").read_text(encoding="utf-8")
    named = re.search(r"That layout has no field for where and when an answer was captured:"
                      r"(.*?)</dd>", page)
    assert named is not None
    files = re.findall(r"<code>(tables/[a-z]+\.csv\.gz)</code>", named.group(1))
    assert files == ["tables/answers.csv.gz", "tables/history.csv.gz"]
    for rel in files:
        rows = list(csv.DictReader(io.StringIO(gzip.decompress(
            (demo_site.docs / "downloads" / rel).read_bytes()).decode("utf-8"))))
        assert rows and all(row["source"] and row["captured_at"] for row in rows), rel
    records = (demo_site.docs / "downloads/answers.csv.gz").read_bytes()
    header = gzip.decompress(records).decode("utf-8").splitlines()[0].split(",")
    assert "source" not in header and "captured_at" not in header


def test_downloads_page_encodes_untrusted_text(stores, tmp_path: Path) -> None:
    store = load_store(stores["hostile"])
    files = write_downloads(store, tmp_path).files
    page = render_pages(store, TEMPLATES_DIR, downloads=files,
                        only={"downloads/index.md"})["downloads/index.md"]
    assert "<script>" not in page and "{{" not in page
    assert "&#60;script&#62;alert&#40;&#39;title&#39;&#41;&#60;&#47;script&#62;" in page
    # File names come from slugs and ids, never from the text.
    assert all(re.fullmatch(r"downloads/[a-z0-9/._-]+", path) for path in files)


def test_stale_downloads_are_removed_and_unchanged_ones_not_rewritten(stores,
                                                                      tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build_site(stores["demo"], docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    again = build_site(stores["demo"], docs_dir=project.docs, site_dir=project.site,
                       config_file=project.config)
    assert again.written == [] and not again.mkdocs_ran
    demo_dirs = sorted((project.docs / "downloads/surveys").iterdir())
    report = build_site(stores["real"], docs_dir=project.docs, site_dir=project.site,
                        config_file=project.config)
    assert not any(d.exists() for d in demo_dirs)
    assert any(r.startswith("downloads/surveys/") for r in report.removed)
    manifest = json.loads((project.docs / ".generated-pages.json").read_text())
    assert "downloads/ca-communications.sqlite.gz" in manifest
    assert sorted(p.relative_to(project.docs).as_posix()
                  for p in (project.docs / "downloads").rglob("*") if p.is_file()) == sorted(
        p for p in manifest if p.startswith("downloads/"))


# -- no empty files, the order of the page, and only what changed -------------------------

def two_surveys() -> Store:
    """One survey nobody answered; one whose second question nobody answered."""
    silent = SurveyData(Survey("silent", "Silent survey", sent="2025-01-01"))
    some = SurveyData(Survey("some", "Some survey", sent="2024-01-01"))
    for data in (silent, some):
        for n in (1, 2):
            qid = f"Q0000{n}"
            data.questions[qid] = Question(data.survey.key, qid, n, SINGLE, "Q?", ("Y", "N"))
    some.answers[("Q00001", "x")] = Answer("some", "Q00001", "x", "X", ("Y",), (1,))
    return Store({"silent": silent, "some": some})


def test_a_survey_or_question_without_answers_has_no_file_and_the_pages_say_so(
        tmp_path: Path) -> None:
    from builder.publish.render import render_pages

    store = two_surveys()
    files = write_downloads(store, tmp_path).files
    silent, some = (f"downloads/surveys/{survey_dir_name(k)}/" for k in ("silent", "some"))
    assert not any(p.startswith(silent) for p in files)
    assert sorted(p for p in files if p.startswith(some)) == [
        some + "answers.csv.gz", some + "answers.json.gz", some + "q00001.csv"]
    assert all(info.size > 0 for info in files.values())
    page = render_pages(store, TEMPLATES_DIR, downloads=files,
                        only={"downloads/index.md"})["downloads/index.md"]
    assert "No answers to this survey have been captured, so it has no download files." in page
    assert page.count("No answers captured: no file.") == 1  # Q00002 of the other survey
    pages = render_pages(store, TEMPLATES_DIR)
    for key, qid, linked in (("silent", None, False), ("silent", "q00001", False),
                             ("some", None, True), ("some", "q00001", True),
                             ("some", "q00002", False)):
        text = pages[f"surveys/{survey_dir_name(key)}/{qid or 'index'}.md"]
        assert ("No answers captured, so no download" in text) is not linked, (key, qid)
        assert bool(HREF.search(text)) is linked, (key, qid)


def test_the_downloads_page_lists_the_surveys_newest_first(stores, tmp_path: Path) -> None:
    from builder.publish.encode import encode
    from builder.publish.paths import surveys_newest_first

    store = load_store(stores["demo"])
    page = render_pages(store, TEMPLATES_DIR, downloads=write_downloads(store, tmp_path).files,
                        only={"downloads/index.md"})["downloads/index.md"]
    found = re.findall(r"^<h3>(.+)</h3>$", page, re.MULTILINE)
    assert found == [str(encode(d.survey.title)) for d in surveys_newest_first(store)]
    assert len(found) == 3


def opened_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every download a StreamedFiles makes (writes, whether or not its bytes changed)."""
    from builder.publish.write import StreamedFiles

    opened: list[str] = []
    original = StreamedFiles.open

    def spy(self: StreamedFiles, rel: str) -> Any:
        opened.append(rel)
        return original(self, rel)
    monkeypatch.setattr(StreamedFiles, "open", spy)
    return opened


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted((folder / "downloads").rglob("*")) if p.is_file()}


def test_after_changes_only_the_changed_survey_is_made_and_the_files_equal_a_fresh_build(
        stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from builder.publish.write import write_pages

    store = load_store(stores["demo"])
    work = tmp_path / "work"
    first = write_downloads(store, work)
    write_pages({}, work, kept=first.files)
    changed, emptied = store.sorted_surveys()[:2]
    key, answer = next(iter(changed.answers.items()))
    changed.answers[key] = replace(answer, values=("an edited answer",), option_numbers=())
    question = emptied.sorted_questions()[0].id  # every answer to it withdrawn
    emptied.answers = {k: a for k, a in emptied.answers.items() if k[0] != question}
    opened = opened_paths(monkeypatch)
    again = write_downloads(store, work)
    write_pages({}, work, kept=again.files)  # the manifest: removes what is no longer made

    touched = {f"downloads/surveys/{survey_dir_name(d.survey.key)}/" for d in (changed, emptied)}
    made_again = {p for p in opened if p.startswith("downloads/surveys/")}
    assert made_again and all(p.startswith(tuple(touched)) for p in made_again)
    gone = f"downloads/surveys/{survey_dir_name(emptied.survey.key)}/{question.lower()}.csv"
    assert gone in first.files and gone not in again.files and not (work / gone).exists()
    fresh = write_downloads(store, tmp_path / "fresh")
    assert again.files == fresh.files
    assert tree(work) == tree(tmp_path / "fresh")

    opened.clear()  # nothing changed: nothing is made again but the package
    assert write_downloads(store, work).written == []
    assert opened == ["downloads/datapackage.json"]


def test_a_missing_file_or_a_run_cut_short_makes_the_files_again(
        stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.publish.opendata.layout import STATE

    store = load_store(stores["demo"])
    files = write_downloads(store, tmp_path).files
    victim = next(p for p in files if p.endswith(".csv") and "/surveys/" in p)
    (tmp_path / victim).unlink()
    assert write_downloads(store, tmp_path).written == [victim]
    (tmp_path / STATE).unlink()  # as a run cut short leaves it: every group is made again
    opened = opened_paths(monkeypatch)
    assert write_downloads(store, tmp_path).written == []
    assert sorted(opened) == sorted(files)


# -- the whole dataset from kept pieces (builder/publish/opendata/compose.py) -------------

def pieces_seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every `Pieces` (the kept pieces of a run) made from now on."""
    from builder.publish.opendata.pieces import Pieces

    seen: list[Pieces] = []
    init = Pieces.__init__

    def record(self: Pieces, *args: Any) -> None:
        init(self, *args)
        seen.append(self)
    monkeypatch.setattr(Pieces, "__init__", record)
    return seen


def made(seen: list[Any]) -> dict[str, int]:
    """The pieces those runs compressed (or built) again: stored sizes by key."""
    return {k: (p.root / p.found[k]).stat().st_size for p in seen for k in p.made}


def edited(data: SurveyData, text: str) -> None:
    from dataclasses import replace

    key, answer = next(iter(data.sorted_answers())).question_id, data.sorted_answers()[0]
    data.answers[(key, answer.owner_key)] = replace(answer, values=(text,), option_numbers=())


def test_changes_one_survey_then_another_then_added_and_removed_give_fresh_bytes(
        stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.publish.write import write_pages

    store = load_store(stores["demo"])
    first, second, third = store.sorted_surveys()
    for n in range(4):  # more surveys: a change makes again the pieces of one or two
        key = f"zz copy {n}"
        store.surveys[key] = SurveyData(Survey(key, f"Copy {n}"), dict(third.questions),
                                        dict(third.answers), list(third.history))
    work = tmp_path / "work"
    write_downloads(store, work)
    seen = pieces_seen(monkeypatch)
    steps = [lambda: edited(second, "an edited answer"), lambda: edited(first, "x" * 5000),
             lambda: store.surveys.update(added=SurveyData(
                 Survey("added", "An added survey"), dict(first.questions),
                 {k: a for k, a in first.answers.items()})),
             lambda: store.surveys.pop(third.survey.key)]
    for n, step in enumerate(steps):
        step()
        seen.clear()
        again = write_downloads(store, work)
        write_pages({}, work, kept=again.files)  # as a build does: removes what is not made
        # Most of the bytes were kept (a piece after a change is made again as its
        # dictionary changed: small tables' pieces all, until 32 KiB of text has passed).
        remade = sum(made(seen).values())
        used = sum(p.stat().st_size for p in (work / ".downloads-pieces").iterdir())
        assert 0 < remade < used / 2, (n, remade, used)
        fresh = tmp_path / f"fresh-{n}"
        assert again.files == write_downloads(store, fresh).files, n
        assert tree(work) == tree(fresh), n
        assert sorted(os.listdir(work / ".downloads-pieces")) == sorted(
            os.listdir(fresh / ".downloads-pieces")), n  # nothing stale is left


def test_a_change_to_the_newest_survey_adds_it_to_the_kept_database_of_the_others(
        stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual change (an answer to the newest survey) does not build the database of
    every survey again; a change to an older one does. Both give a fresh build's bytes."""
    from builder.publish.opendata import compose

    store = load_store(stores["demo"])
    oldest, *_, newest = store.sorted_surveys()
    work = tmp_path / "work"
    write_downloads(store, work)
    started: list[int] = []
    start = compose.start_sqlite

    def counted(path: Path, surveys: Any, owners: Any) -> None:
        started.append(len(surveys))
        start(path, surveys, owners)
    monkeypatch.setattr(compose, "start_sqlite", counted)
    checked: list[str] = []  # the database pieces whose bytes were read and checked
    get = Pieces.get

    def spy(self: Pieces, key: str) -> Path | None:
        checked.append(key)
        return get(self, key)
    monkeypatch.setattr(Pieces, "get", spy)
    for n, (data, expected, read) in enumerate([(newest, [], 2),  # the others', the newest
                                                (oldest, [len(store.surveys) - 1],
                                                 len(store.surveys) + 1)]):
        edited(data, f"an edited answer {n}")
        started.clear()
        checked.clear()
        again = write_downloads(store, work)
        assert started == expected, n
        assert len(checked) == read, n  # the older surveys' pieces: kept unread, until needed
        fresh = tmp_path / f"fresh-{n}"
        assert again.files == write_downloads(store, fresh).files, n
        assert sorted(os.listdir(work / ".downloads-pieces")) == sorted(
            os.listdir(fresh / ".downloads-pieces")), n  # held ones kept, nothing stale


def test_composed_files_unpack_alike_with_every_gzip_reader(stores, tmp_path: Path) -> None:
    """Their text is that of one stream (tests/publish/test_download_cells.py); here, every
    reader reads one ordinary gzip member."""
    store = load_store(stores["real"])
    files = write_downloads(store, tmp_path).files
    names = [f"tables/{t}.csv.gz" for t in ("surveys", "answers", "history")] + [
        "answers.csv.gz", "answers.json.gz", "dataset.json.gz", f"{SQLITE_FILE}.gz"]
    for name in names:
        path = tmp_path / "downloads" / name
        assert f"downloads/{name}" in files
        data = gzip.decompress(path.read_bytes())
        assert data
        assert subprocess.run(["gzip", "-dc", str(path)], check=True,
                              capture_output=True).stdout == data, name
        with gzip.open(path) as fh:  # read as a stream, as pandas and frictionless do
            assert fh.read() == data, name
    assert json.loads(gzip.decompress((tmp_path / "downloads/dataset.json.gz").read_bytes()))


def test_a_damaged_stale_or_half_written_piece_is_not_trusted(
        stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.publish.opendata import deflate
    from builder.publish.opendata.layout import STATE

    store = load_store(stores["demo"])
    work, fresh = tmp_path / "work", tmp_path / "fresh"
    write_downloads(store, work)
    edited(store.sorted_surveys()[0], "changed")
    fresh_files = write_downloads(store, fresh).files
    cache = work / ".downloads-pieces"
    names = sorted(set(os.listdir(cache)) & set(os.listdir(fresh / ".downloads-pieces")))
    damaged, truncated = cache / names[0], cache / names[-1]  # both needed again
    damaged.write_bytes(b"\0" + damaged.read_bytes()[1:])
    truncated.write_bytes(truncated.read_bytes()[:-40])
    (cache / f"{'0' * 40}.{'0' * 32}").write_bytes(b"a stale piece")  # asked for by none
    (cache / ".partial-left-by-a-killed-run").write_bytes(b"half")

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # as a run cut short while compressing a piece
    with monkeypatch.context() as patch:
        patch.setattr(deflate, "_stored", killed)
        with pytest.raises(KeyboardInterrupt):
            write_downloads(store, work)
    assert not (work / STATE).exists()
    seen = pieces_seen(monkeypatch)
    assert write_downloads(store, work).files == fresh_files
    assert tree(work) == tree(fresh)
    assert sorted(os.listdir(cache)) == sorted(os.listdir(fresh / ".downloads-pieces"))
    assert damaged.name in os.listdir(cache) and truncated.name in os.listdir(cache)
    assert {damaged.name.partition(".")[0], truncated.name.partition(".")[0]} <= set(made(seen))


def test_crc32_combine_agrees_with_zlib() -> None:
    import zlib

    from builder.publish.opendata.deflate import crc32_combine

    for size in (0, 1, 7, 4096, 100_003):
        a, b = os.urandom(1000), os.urandom(size)
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), size) == zlib.crc32(a + b)
