"""Reading a .jsonl file of the store: the quick path (a line decoded where it starts)
gives exactly the records and problems json.loads and the dataclass give, line by line."""

from __future__ import annotations

import json
from pathlib import Path

from builder.core.errors import Issue
from builder.core.model import Answer, Change, Question
from builder.store.jsonl import dumps, read_json_lines, record_dict

ANSWER = {"survey_key": "S", "question_id": "Q00001", "owner_key": "Fictitious CA",
          "owner_name": "Fictitious CA", "values": ["a\u2028b", "c"],
          "option_numbers": [1, None], "source": "x.csv", "observed_at": "2031-01-01T00:00:00Z",
          "submitted_at": None}
"""An answer of an older store: no captured_at, no live (their defaults apply)."""


def read(tmp_path: Path, cls: type, lines: list[str]) -> tuple[list[tuple[int, object]],
                                                              list[Issue]]:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issues: list[Issue] = []
    return read_json_lines(path, cls, issues), issues


def test_records_are_those_the_dataclass_makes_defaults_included(tmp_path: Path) -> None:
    line = dumps(ANSWER)
    full = dict(ANSWER, captured_at="2031-01-01", live=True)
    records, issues = read(tmp_path, Answer, [line, "", f"  {line} ", dumps(full)])
    assert issues == []
    made = Answer(**{k: tuple(v) if isinstance(v, list) else v for k, v in ANSWER.items()})
    assert records == [(1, made), (3, made), (4, Answer(**{
        k: tuple(v) if isinstance(v, list) else v for k, v in full.items()}))]
    first = records[0][1]
    assert isinstance(first, Answer)
    assert (first.captured_at, first.live, first.values) == (None, False, ("a\u2028b", "c"))
    assert hash(first) == hash(made)
    assert record_dict(first) == dict(ANSWER, values=["a\u2028b", "c"], captured_at=None,
                                      live=False)
    question = {"survey_key": "S", "id": "Q00001", "order": 1, "type": "Free Text",
                "text": "T", "options": [], "source": None}
    ([(_, q)], _) = read(tmp_path, Question, [dumps(question)])
    assert q == Question("S", "Q00001", 1, "Free Text", "T") and q.truncated is False
    change = {"survey_key": "S", "question_id": "Q00001", "owner_key": "O", "owner_name": "O",
              "kind": "added", "old": None, "new": ["a"], "observed_at": "t", "source": "s"}
    ([(_, c)], _) = read(tmp_path, Change, [dumps(change)])
    assert c == Change("S", "Q00001", "O", "O", "added", None, ("a",), "t", "s")


def test_each_bad_line_is_reported_as_json_loads_reports_it(tmp_path: Path) -> None:
    line = dumps(ANSWER)
    bad = [line[:40], line + " " + line, "[1]", dumps(dict(ANSWER, values="a")), "  {"]
    records, issues = read(tmp_path, Answer, [line, *bad])
    assert [n for n, _ in records] == [1]
    expected = []
    for number, text in enumerate(bad, start=2):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            expected.append((number, exc.colno, "json-syntax", exc.msg))
    assert [(i.line, i.column, i.code, i.message) for i in issues] == [
        expected[0], expected[1],
        (4, None, "not-an-object", "expected a JSON object"),
        (5, None, "wrong-type", "expected list of str"),
        expected[2]]
