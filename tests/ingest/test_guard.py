"""The guard against an import that loses answers (builder.ingest.guard), through `builder import`:
per question and per survey, blanked answers counted as lost, compared with the largest
recent state rebuilt from the history, and a full import that withdraws more than a few
answers stopped unless --allow-withdraw. Every refusal leaves data/ as it was."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from builder.ingest import guard

SURVEY = "Fictitious Guard Survey"
HEADER = ("survey,survey_id,question_id,question_order,question_type,question_text,ca_owner,"
          "response,option_number,submitted_at")
FREE = "Free Text (Multi line text box)"


def owners(n: int) -> list[str]:
    return [f"Fictitious CA {i:02d}" for i in range(1, n + 1)]


def export(path: Path, answers: dict[str, dict[str, str]]) -> Path:
    """A ccadb-csv export: {question id: {CA owner: answer}}."""
    out = io.StringIO()
    out.write(HEADER + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for order, (qid, rows) in enumerate(sorted(answers.items()), start=1):
        for owner, text in rows.items():
            writer.writerow([SURVEY, "", qid, order, FREE, f"ACTION {order}: question {qid}?",
                             owner, text, "", ""])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def snapshot(data: Path) -> dict[str, bytes]:
    return {p.relative_to(data).as_posix(): p.read_bytes()
            for p in sorted(data.rglob("*")) if p.is_file()}


def two_questions(n1: int, n2: int, text: str = "yes") -> dict[str, dict[str, str]]:
    return {"Q09001": dict.fromkeys(owners(n1), text), "Q09002": dict.fromkeys(owners(n2), text)}


class Store:
    """A data folder and a `builder import` of generated exports into it."""

    def __init__(self, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
        self.tmp, self.data, self.cli, self.n = tmp_path, tmp_path / "data", cli, 0

    def run(self, answers: dict[str, dict[str, str]], *args: str,
            at: str = "2026-01-01T00:00:00Z"):  # type: ignore[no-untyped-def]
        self.n += 1
        path = export(self.tmp / f"export-{self.n}.csv", answers)
        return self.cli("import", path, "--observed-at", at, "--data", self.data, *args)


@pytest.fixture
def store(tmp_path: Path, cli) -> Store:  # type: ignore[no-untyped-def]
    return Store(tmp_path, cli)


def test_one_question_losing_9_of_10_is_refused(store: Store) -> None:
    """The survey keeps all its CA owners (they answer Q09002); Q09001 is gutted."""
    assert store.run(two_questions(10, 10)).exit_code == 0
    before = snapshot(store.data)
    answers = two_questions(10, 10)
    answers["Q09001"] = {o: ("" if i else "yes") for i, o in enumerate(owners(10))}
    result = store.run(answers, "--partial")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith(
        "Q09001: withdraws-answers: this import would withdraw 9 answer(s) to question "
        f"Q09001 of survey '{SURVEY}' at once (0 missing from the export, 9 blanked; more "
        "than 3): if the export is incomplete, import it as partial (--partial); if they "
        "are really gone, pass --allow-withdraw")
    assert lines[1].endswith(
        f"Q09001: answers-lost: question Q09001 of survey '{SURVEY}' would keep 1 answer(s) "
        "where it recently had 10 (under 50%): refused as a likely broken export; pass "
        "--allow-withdraw if it is real")
    assert lines[2:] == ["2 problems found"]
    assert snapshot(store.data) == before


def test_every_answer_blanked_is_refused(store: Store) -> None:
    store.run(two_questions(6, 6))
    before = snapshot(store.data)
    result = store.run(two_questions(6, 6, text=""))
    assert result.exit_code == 1
    codes = [line.split(": ")[2] for line in result.stderr.splitlines()[:-1]]
    assert codes == ["withdraws-answers", "answers-lost", "withdraws-answers", "answers-lost",
                     "owners-lost"]
    assert "would keep answers of 0 CA owner(s) where it recently had 6" in result.stderr
    assert snapshot(store.data) == before


def test_small_steps_are_compared_with_the_largest_recent_state(store: Store) -> None:
    """10 -> 8 -> 6 -> 4: no step loses more than 3, but 4 is under half of 10."""
    days = iter(range(1, 10))
    for n in (10, 8, 6):
        result = store.run({"Q09001": dict.fromkeys(owners(n), "yes")},
                           at=f"2026-01-0{next(days)}T00:00:00Z")
        assert result.exit_code == 0, result.stderr
    before = snapshot(store.data)
    result = store.run({"Q09001": dict.fromkeys(owners(4), "yes")}, at="2026-01-05T00:00:00Z")
    assert result.exit_code == 1
    assert "question Q09001 of survey" in result.stderr
    assert "would keep 4 answer(s) where it recently had 10" in result.stderr
    assert snapshot(store.data) == before
    allowed = store.run({"Q09001": dict.fromkeys(owners(4), "yes")}, "--allow-withdraw",
                        at="2026-01-05T00:00:00Z")
    assert allowed.exit_code == 0 and "2 withdrawn" in allowed.stdout


def test_an_old_peak_no_longer_counts(store: Store) -> None:
    """A count from more than 90 days and more than 10 imports ago is not 'recent'."""
    store.run({"Q09001": dict.fromkeys(owners(10), "yes")}, at="2025-01-01T00:00:00Z")
    for i, n in enumerate([8, 6] + [5] * 10):
        # each import changes an answer, so each is recorded in the history
        answers = {"Q09001": {o: f"yes {i}" for o in owners(n)}}
        assert store.run(answers, at=f"2025-02-{i + 1:02d}T00:00:00Z").exit_code == 0
    late = store.run({"Q09001": {o: "no" for o in owners(2)}}, at="2025-09-01T00:00:00Z")
    assert late.exit_code == 1
    assert "would keep 2 answer(s) where it recently had 5 " in late.stderr  # not 10, not 8
    assert store.run({"Q09001": {o: "no" for o in owners(2)}}, "--allow-withdraw",
                     at="2025-09-01T00:00:00Z").exit_code == 0


def test_full_import_withdrawing_more_than_a_few_stops_and_says_how_many(store: Store) -> None:
    store.run(two_questions(10, 10))
    before = snapshot(store.data)
    smaller = two_questions(6, 10)  # 4 CA owners missing from Q09001, no --partial
    result = store.run(smaller)
    assert result.exit_code == 1
    assert "would withdraw 4 answer(s) to question Q09001" in result.stderr
    assert "(4 missing from the export, 0 blanked; more than 3)" in result.stderr
    assert "answers-lost" not in result.stderr  # 6 of 10 is not under half
    assert snapshot(store.data) == before
    partial = store.run(smaller, "--partial")
    assert partial.exit_code == 0 and "0 withdrawn" in partial.stdout
    assert snapshot(store.data) == before  # nothing new
    allowed = store.run(smaller, "--allow-withdraw")
    assert allowed.exit_code == 0 and "4 withdrawn" in allowed.stdout


def test_a_few_withdrawals_go_through(store: Store) -> None:
    """3 answers to one question, or a CA owner that left a survey of many questions."""
    answers = {f"Q0900{i}": dict.fromkeys(owners(10), "yes") for i in range(1, 7)}
    store.run(answers)
    answers["Q09001"] = dict.fromkeys(owners(7), "yes")
    result = store.run(answers)
    assert result.exit_code == 0 and "3 withdrawn" in result.stdout
    answers = {qid: dict.fromkeys(owners(9 if qid != "Q09001" else 7), "yes")
               for qid in answers}  # Fictitious CA 10 left: one answer to each question
    result = store.run(answers)
    assert result.exit_code == 0 and "5 withdrawn" in result.stdout


def test_thresholds_are_the_documented_ones() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    assert (guard.MIN_SHARE, guard.MIN_LOST, guard.MAX_LOST_AT_ONCE, guard.RECENT_IMPORTS,
            guard.RECENT_DAYS) == (0.5, 3, 3, 10, 90)
    for phrase in ("more than 3 answers", "under 50%", "at least 3", "last 10", "90 days"):
        assert phrase in readme, phrase
