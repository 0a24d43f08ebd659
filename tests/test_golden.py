"""Golden files: the Markdown the builder generates for a small fixture, reviewed by hand.

Refresh after an intended change with:

    UPDATE_GOLDEN=1 python3 dev.py test tests/test_golden.py

then read the diff of tests/golden/docs/ before committing it.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import TEMPLATES_DIR
from builder.publish.render import render_pages
from builder.store.records import load_store

GOLDEN = Path(__file__).resolve().parent / "golden"
SQLITE_SUM = re.compile(r'(<a href="(?:ca-communications\.sqlite(?:\.gz)?|datapackage\.json)">'
                        r'.*?<code>)[0-9a-f]{64}(</code>)')
"""An SQLite file's header holds the version of the library that wrote it, so its SHA-256
(and that of datapackage.json, which lists it) differs from one SQLite to another: the
golden Downloads page leaves these two sums out."""


def generate(tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    import_source(str(GOLDEN / "input" / "v1.json"), data, LoadOptions(),
                  observed_at="2099-06-10T08:00:00Z")
    survey = next(data.glob("surveys/*/survey.json"))
    survey.write_text(survey.read_text().replace('"deadline": null', '"deadline": "2099-06-30"'))
    import_source(str(GOLDEN / "input" / "v2.json"), data, LoadOptions(),
                  observed_at="2099-07-02T08:00:00Z")
    return {path: SQLITE_SUM.sub(r"\1(depends on the SQLite library)\2", text)
            for path, text in render_pages(load_store(data), TEMPLATES_DIR).items()
            if path.endswith(".md")}


def test_generated_pages_match_the_golden_files(tmp_path: Path) -> None:
    pages = generate(tmp_path)
    expected_dir = GOLDEN / "docs"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, text in pages.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_text(text, encoding="utf-8")
    expected = {p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(expected_dir.rglob("*.md"))}
    assert sorted(pages) == sorted(expected), "the set of generated pages changed"
    problems = []
    for path in sorted(pages):
        if pages[path] != expected[path]:
            problems.append("".join(difflib.unified_diff(
                expected[path].splitlines(True), pages[path].splitlines(True),
                f"golden/{path}", f"generated/{path}")))
    assert not problems, "\n".join(problems)
