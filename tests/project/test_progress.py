"""Progress on a terminal (stages and counts on stderr), nothing when not a terminal, and
--quiet: errors only. The library takes a callback; the CLI owns the display."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from builder.publish.build import build_site
from conftest import CCADB, ROOT, make_project


def on_a_terminal(*args: str, cwd: Path) -> str:
    """Run `builder ARGS` with a pseudo-terminal as stdin, stdout and stderr."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=cwd,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_the_build_tells_a_callback_its_stages_with_counts(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    said: list[str] = []
    build_site(ROOT / "data", docs_dir=project.docs, site_dir=project.site,
               config_file=project.config, progress=said.append)
    assert said[0] == f"reading the store {ROOT / 'data'}"
    assert any(m.startswith("rendering the pages of ") and "survey(s)" in m for m in said)
    assert any(m.startswith("writing ") and "file(s)" in m for m in said)
    assert said[-1].startswith("mkdocs build --strict, unless nothing changed (")


def test_on_a_terminal_demo_and_import_show_progress(tmp_path: Path) -> None:
    out = on_a_terminal("demo", "--size", "small", "--data", "demo", cwd=tmp_path)
    assert "... survey 1 of 3: " in out and "... saving " in out
    out = on_a_terminal("import", str(CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html"),
                        "--question-ids", "Q00028", "--data", "store", cwd=tmp_path)
    assert "... reading " in out and "... checking 6 record(s) against the store" in out
    assert out.endswith("answers 6 added, 0 changed, 0 withdrawn; 4 file(s) written\n")


def test_not_on_a_terminal_nothing_but_the_result_and_quiet_is_silent(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "builder", "demo", "--size", "small", "--data", "demo"]
    plain = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert plain.stderr == "" and "..." not in plain.stdout and plain.stdout.count("\n") == 1
    quiet = subprocess.run([*run, "--quiet"], cwd=tmp_path, capture_output=True, text=True,
                           check=True)
    assert quiet.stdout == "" and quiet.stderr == ""
    failed = subprocess.run([sys.executable, "-m", "builder", "validate", "--quiet", "--data",
                             "missing"], cwd=tmp_path, capture_output=True, text=True)
    assert failed.returncode == 1 and "missing-folder" in failed.stderr  # errors still show
