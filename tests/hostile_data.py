"""Hostile text for names, question texts, answers and survey titles (guide + our own)."""

from __future__ import annotations

import json
from pathlib import Path

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '{: onclick="alert(1)" }',
    "a | b | c",
    '--8<-- "mkdocs.yml"',
    "{{ 7*7 }}",
    "{% raw %}",
    "```",
    '=HYPERLINK("http://example.invalid","x")',
    "<iframe src=//example.invalid></iframe>",
    "<svg onload=alert(1)>",
    "<base href=//example.invalid/>",
    '<meta http-equiv="refresh" content="0;url=//example.invalid">',
    "[ref]: javascript:alert(1)\n\n[x][ref]",
    "![i](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<https://example.invalid/autolink>",
    "    indented code\n- list item\n# heading",
    "$$x$$ and \\(y\\)",
    "<a href=\"vbscript:msgbox(1)\">v</a>",
    "line one\r\nline two\rline three",
    "&lt;script&gt; &#60;b&#62; &amp;",
    "javascript:alert(document.cookie)",
    "<style>body{display:none}</style>",
    "*emphasis* __strong__ ~~gone~~ ==mark==",
]
OWNERS = [
    "</title><script>alert(1)</script>",
    "../../outside",
    "/tmp/x",
    "A/B",
    ".hidden",
    "index",
    "Ünïcode CA",
    "Unicode CA",
    "evil\u202eAC tsurT",
    "中文证书机构",
    "日本の認証局",
    '"; alert(1); "',
    "{{ config }}",
]
SURVEY_TITLE = "<script>alert('title')</script> Hostile | Survey {{ 7*7 }}"


def hostile_export() -> list[dict[str, object]]:
    """A json export where every field that reaches a page carries a payload."""
    rows: list[dict[str, object]] = []
    for i, owner in enumerate(OWNERS):
        for q, payload in enumerate(PAYLOADS[:6]):
            rows.append({
                "survey": SURVEY_TITLE, "survey_id": None, "question_id": f"Q0900{q:02d}",
                "question_order": q + 1, "question_type": "Free Text (Multi line text box)",
                "question_text": f"ACTION {q + 1}: {PAYLOADS[(q + 6) % len(PAYLOADS)]}",
                "ca_owner": owner, "response": PAYLOADS[(i + q) % len(PAYLOADS)],
                "option_number": None, "submitted_at": None})
    choice_labels = [PAYLOADS[1], PAYLOADS[4], PAYLOADS[9]]
    for i, owner in enumerate(OWNERS):
        rows.append({
            "survey": SURVEY_TITLE, "survey_id": None, "question_id": "Q090099",
            "question_order": 99, "question_type": "Single Select (Radio buttons)",
            "question_text": "ACTION 9: <b>choose</b> | one", "ca_owner": owner,
            "response": choice_labels[i % 3], "option_number": i % 3 + 1,
            "submitted_at": None})
    return rows


def write_hostile_export(path: Path) -> Path:
    path.write_text(json.dumps(hostile_export(), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path
