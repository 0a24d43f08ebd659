"""Properties of the import stages for any text: round trips, identity keys, page names."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.core.model import FREE_TEXT, RECORD_FIELDS
from builder.core.text import canonical_key, page_name
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.store.records import load_store, survey_dir_name

SURVEY = "Property 2030 CA Communication (fictitious)"
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# st.text() draws from all of Unicode but surrogates: controls, quotes, commas, newlines,
# emoji, combining marks, bidi controls. The payloads make sure the usual suspects are tried.
texts = st.text() | st.sampled_from([
    'a "quoted", comma', "line\r\nbreak\rCR\nLF", "\ufeffBOM first", "tab\there  ",
    "emoji 🐍👩‍👩‍👧", "\x00nul\x1fcontrols\x7f\x85", "<script>alert(1)</script>",
    "=HYPERLINK(\"x\")", "\u202eevil", "line\u2028separator\u2029paragraph\x0bvt\x0cff",
    " ", ""])
names = texts.filter(lambda name: canonical_key(name) != "")


def record(owner: str, response: str, question: str) -> dict[str, object]:
    return {"survey": SURVEY, "survey_id": None, "question_id": "Q09009",
            "question_order": 1, "question_type": FREE_TEXT, "question_text": question,
            "ca_owner": owner, "response": response, "option_number": None,
            "submitted_at": None}


def round_trip(name: str, body: str) -> tuple[str, tuple[str, ...], str]:
    """Import one export into an empty store; the owner name, values and question text read
    back from the store."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / name
        source.write_text(body, encoding="utf-8", newline="")
        import_source(str(source), Path(tmp) / "data", LoadOptions(),
                      observed_at="2030-01-01T00:00:00Z")
        store = load_store(Path(tmp) / "data")
    [data] = store.surveys.values()
    [answer] = data.answers.values()
    return answer.owner_name, answer.values, data.questions["Q09009"].text


@SETTINGS
@given(owner=names, response=texts, question=texts)
def test_any_text_survives_the_json_format(owner: str, response: str, question: str) -> None:
    body = json.dumps([record(owner, response, question)], ensure_ascii=False)
    assert round_trip("export.json", body) == (owner, (response,), question)


@SETTINGS
@given(owner=names, response=texts, question=texts)
def test_any_text_survives_the_ccadb_csv_format(owner: str, response: str,
                                                question: str) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, RECORD_FIELDS)
    writer.writeheader()
    writer.writerow({k: "" if v is None else v
                     for k, v in record(owner, response, question).items()})
    assert round_trip("export.csv", out.getvalue()) == (owner, (response,), question)


@example("e\u200b\u0301")  # removing the invisible character lets e and U+0301 compose
@given(texts)
def test_canonical_key_is_idempotent(name: str) -> None:
    key = canonical_key(name)
    assert canonical_key(key) == key


@example("Ünïcode CA", 1, "\u200b")  # NFD: U, then a zero-width space, then U+0308
@given(names, st.integers(min_value=0),
       st.sampled_from(["\u200b", "\u200c", "\u2060", "\ufeff", "\u202e", "\u00ad"]))
def test_spellings_of_one_name_give_one_key(name: str, at: int, invisible: str) -> None:
    """NFC or NFD, a zero-width character anywhere, doubled or odd spaces: one owner."""
    key = canonical_key(name)
    nfd = unicodedata.normalize("NFD", name)
    at %= len(nfd) + 1
    variants = [
        unicodedata.normalize("NFC", name), nfd, unicodedata.normalize("NFKD", name),
        nfd[:at] + invisible + nfd[at:], " " + name.replace(" ", "  \t") + "\n",
    ]
    assert {canonical_key(v) for v in variants} == {key}
    assert {page_name(canonical_key(v), "ca-owner") for v in variants} == {
        page_name(key, "ca-owner")}


def test_different_names_stay_different_owners(tmp_path: Path) -> None:
    assert canonical_key("Ünïcode CA") != canonical_key("Unicode CA")
    assert page_name(canonical_key("Ünïcode CA"), "ca-owner") != page_name(
        canonical_key("Unicode CA"), "ca-owner")
    first = json.dumps([record("Ünïcode CA", "one", "Q"), record("Unicode CA", "two", "Q")])
    (tmp_path / "first.json").write_text(first, encoding="utf-8")
    import_source(str(tmp_path / "first.json"), tmp_path / "data", LoadOptions())
    [data] = load_store(tmp_path / "data").surveys.values()
    assert sorted((a.owner_name, a.values) for a in data.answers.values()) == [
        ("Unicode CA", ("two",)), ("Ünïcode CA", ("one",))]
    again = json.dumps([record("Unicode\u200b CA", "two", "Q"),
                        record(unicodedata.normalize("NFD", "Ünïcode  CA"), "one", "Q")])
    (tmp_path / "again.json").write_text(again, encoding="utf-8")
    result = import_source(str(tmp_path / "again.json"), tmp_path / "data", LoadOptions())
    assert result.changes == [] and result.written == []


PAGE_NAME = re.compile(r"[a-z0-9-]+")


@given(texts)
def test_page_names_hold_only_lowercase_ascii_digits_and_hyphens(name: str) -> None:
    for stem in (page_name(canonical_key(name), "ca-owner"), page_name(name, "ca-owner"),
                 survey_dir_name(canonical_key(name))):
        assert PAGE_NAME.fullmatch(stem), stem
        assert not stem.startswith("-") and len(stem) <= 60
