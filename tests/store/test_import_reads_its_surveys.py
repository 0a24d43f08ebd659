"""An import reads and writes only the surveys its export touches (issue 16): every other
survey's files keep their inode and mtime, the store's bytes are those of an import that
reads the whole store, a broken survey folder it does not touch does not block it (and
`builder validate` still reports it), and every problem of a survey it touches is listed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import builder.ingest.importer as importer
from builder.core.errors import InternalError
from builder.core.model import Capture, Store
from builder.ingest.formats import LoadOptions, parse_export
from builder.ingest.validate import export_survey_keys, validate_export
from builder.store import records
from builder.store.records import survey_dir_name
from conftest import CCADB, FIXTURES, ROOT
from storecheck import snapshot

MAY = "May 2020 CA Communication"
MAY_DIR = f"surveys/{survey_dir_name(MAY)}"
APRIL_DIR = f"surveys/{survey_dir_name('April 2017 CA Communication')}"
JANUARY_DIR = f"surveys/{survey_dir_name('January 2020 CA Communication')}"
AT = "2031-03-01T00:00:00Z"
MAY_ARGS = ("--survey", MAY, "--question-ids", "Q00101,Q00102", "--partial",
            "--observed-at", AT)


def may_export(folder: Path) -> Path:
    """The May 2020 report copy with Actalis's first answer changed."""
    text = (CCADB / "report-may-2020-Q00101-Q00102.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("Actalis,"))
    lines[index] = 'Actalis,"A new answer from Actalis.",'
    path = folder / "may.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def aged_copy(folder: Path) -> Path:
    """The bundled store, every file's mtime far in the past (so any rewrite shows)."""
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    for path in data.rglob("*"):
        os.utime(path, ns=(10**18, 10**18))
    return data


def identities(data: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(data).as_posix(): (os.stat(p).st_ino, os.stat(p).st_mtime_ns)
            for p in sorted(data.rglob("*")) if p.is_file()}


def test_an_import_leaves_other_surveys_untouched_and_writes_what_a_whole_store_import_writes(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = may_export(tmp_path)
    data, whole = aged_copy(tmp_path / "part"), aged_copy(tmp_path / "whole")
    before = identities(data)
    result = cli("import", export, "--data", data, *MAY_ARGS)
    assert result.exit_code == 0, result.output
    assert "answers 0 added, 1 changed, 0 withdrawn; 2 file(s) written" in result.output
    after = identities(data)
    changed = {rel for rel in before if after[rel] != before[rel]}
    assert changed == {f"{MAY_DIR}/answers.jsonl", f"{MAY_DIR}/history.jsonl"}
    assert after.keys() == before.keys()

    # The same import through the whole store, as every import was before: same bytes.
    full = records.load_store
    monkeypatch.setattr(importer, "load_store", lambda data_dir, surveys=None: full(data_dir))
    importer.import_source(str(export), whole, LoadOptions(
        survey=MAY, question_ids=("Q00101", "Q00102")), partial=True, observed_at=AT)
    assert {k: v for k, (v, _) in snapshot(data).items()} == \
        {k: v for k, (v, _) in snapshot(whole).items()}


def test_a_broken_survey_the_export_does_not_touch_does_not_block_it(
        cli, tmp_path: Path) -> None:
    data = aged_copy(tmp_path)
    april = data / APRIL_DIR / "answers.jsonl"
    april.write_text(april.read_text(encoding="utf-8") + '{"survey_key": \n', encoding="utf-8")
    (data / JANUARY_DIR / "survey.json").unlink()
    broken = {k: v for k, v in snapshot(data).items() if not k.startswith(MAY_DIR)}

    result = cli("import", may_export(tmp_path), "--data", data, *MAY_ARGS)
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in snapshot(data).items() if not k.startswith(MAY_DIR)} == broken

    shutil.rmtree(data / "ca-information")  # a CA information copy reads no survey either
    copy = FIXTURES / "ca-information" / "CAInformationReportCSVFormat-2017-08-21.csv"
    result = cli("import", copy, "--captured-at", "2017-08-21", "--data", data)
    assert result.exit_code == 0, result.output

    checked = cli("validate", "--data", data)  # the whole store is still checked
    assert checked.exit_code == 1
    assert checked.output.splitlines() == [
        f"{april}:7:16: -: json-syntax: Expecting value (got '{{\"survey_key\": ')",
        f"{data / JANUARY_DIR / 'survey.json'}: -: missing-survey: each survey folder needs "
        "a survey.json",
        "2 problems found"]


def test_every_problem_of_the_survey_it_touches_is_listed_and_nothing_written(
        cli, tmp_path: Path) -> None:
    data = aged_copy(tmp_path)
    answers = data / MAY_DIR / "answers.jsonl"
    lines = answers.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0][:30]
    lines[3] = lines[3].replace('"owner_key":"AC Camerfirma, S.A."', '"owner_key":" x"')
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(data)
    result = cli("import", may_export(tmp_path), "--data", data, *MAY_ARGS)
    assert result.exit_code == 1
    assert [line.split(": ")[0:2] for line in result.output.splitlines()] == [
        [f"{answers}:1:28", "-"], [f"{answers}:4", "owner_key"], ["2 problems found"]]
    assert snapshot(data) == before


def test_a_survey_not_read_is_never_taken_for_a_new_one(tmp_path: Path) -> None:
    """The keys read come from the export by the rule validate uses; were a key missed,
    validating against the store read in part stops rather than see a new survey."""
    export = parse_export(may_export(tmp_path).read_bytes(), "may.csv",
                          LoadOptions(survey=MAY, question_ids=("Q00101", "Q00102")))
    assert export_survey_keys(export) == {MAY}
    assert validate_export(export, Store(surveys_read=frozenset({MAY})), AT).issues == []
    with pytest.raises(InternalError, match="was not read"):
        validate_export(export, Store(surveys_read=frozenset()), AT, Capture())
