"""Today's code (issue #16's baseline) built side by side with this code, on the same
demo dataset.

The issue's relative targets ("at most 40% of today's") are ratios, and a ratio is only
as good as the two figures it divides: the host's speed varies by two times and more from
one hour to the next, so a build is compared with today's build measured in the same run,
interleaved with it, not with seconds written down on another day (targets.TODAY, the
fallback where today's code cannot be run).

Today's code is the commit the issue was filed against, taken from this checkout's git
history (`git archive`): its builder, templates, theme overrides, hand-written pages and
mkdocs.yml, run with this interpreter and its packages (MkDocs and mkdocs-material are
the same pinned versions), by its own command line. Its store format is older (it
cannot read this code's: no capture dates), so it writes the run's demo dataset itself,
`builder demo --size SIZE` (untimed), the same dataset: the same surveys, CA owners,
questions, answers and recorded changes (their counts are compared), in its own format.
Then `builder build` from nothing (timed) and MkDocs' own build of the pages it made.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

TODAY_COMMIT = "7d17656b6a86ad946a6cd854310a1d4765e58d31"
"""The first round's last commit (27 November 2026), which the second round's issues,
#16 among them, were written against: its full build is the issue's "today" (27.1 s
there; 18.2 s in docs/performance.md's "Results", 135 MB of site in both)."""

TODAY_PATHS = ("builder", "site_templates", "overrides", "docs", "mkdocs.yml")
"""What a build of that commit reads besides its data (docs/ holds the hand-written
pages, and the pages it generates)."""

CODE_DIR = "today-code"
"""Beside the runs' projects in the benchmark's temporary folder."""

WORK_DIRS = (".build-docs/*", "docs")
"""Where a build of today's code (docs/, in the project) or of a later one
(.build-docs/<a folder per data folder>) leaves the pages MkDocs builds: the one of these
with an index.md."""

_MKDOCS_ALONE = ("import sys\n"
                 "from mkdocs.commands.build import build\n"
                 "from mkdocs.config import load_config\n"
                 "build(load_config(sys.argv[1], docs_dir=sys.argv[2], site_dir=sys.argv[3]))\n")
"""MkDocs' own build of a work folder, as the benchmark's "mkdocs build alone" stage."""


def checkout(repo: Path, commit: str, dest: Path) -> str | None:
    """Today's files from repo's history into dest; None, or why they could not be had
    (no git, not a checkout, a shallow clone without that commit)."""
    git = shutil.which("git")
    if git is None:
        return "git is not installed"
    proc = subprocess.run([git, "-C", str(repo), "archive", "--format=tar", commit,
                           *TODAY_PATHS], capture_output=True, check=False)
    if proc.returncode != 0:
        why = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return (f"commit {commit[:12]} is not in {repo}'s git history"
                + (f" ({why[-1]})" if why else ""))
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(dest, filter="data")  # our own history, but no path leaves dest
    return None


def repo_of_this_code() -> Path:
    """The folder holding this builder package (a checkout, when run from one)."""
    return Path(__file__).resolve().parents[3]


def build_today(code: Path, size: str, project: Path) -> dict[str, Any]:
    """In a project of its own: today's code writes the demo dataset of `size`, builds
    it from nothing, then MkDocs builds the pages it generated alone; their wall seconds,
    the dataset's counts, the site's pages and size. Raises RuntimeError with the
    command's last words if one fails."""
    from builder.tools.bench.project import site_metrics

    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in TODAY_PATHS[1:]:
        source = code / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.is_file():
            shutil.copy(source, project / name)
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env["PYTHONPATH"] = str(code)  # today's package, not this one

    def run(what: str, args: list[str], made: Path | None) -> tuple[float, str]:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, *args], cwd=project, env=env,
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if proc.returncode != 0 or (made is not None and not made.is_file()):
            raise RuntimeError(f"today's {what} failed (exit {proc.returncode}): "
                               + (proc.stderr.strip()[-2000:] or proc.stdout.strip()[-2000:]))
        return seconds, proc.stdout + proc.stderr

    _, said = run("demo", ["-m", "builder", "demo", "--size", size, "--data", "data"], None)
    dataset = _dataset(said)
    seconds, _ = run("build", ["-m", "builder", "build"], project / "site" / "index.html")
    site = site_metrics(project / "site")
    work = [d for pattern in WORK_DIRS for d in project.glob(pattern)
            if (d / "index.md").is_file()]
    if len(work) != 1:
        raise RuntimeError(f"today's build left {len(work)} folders of pages in "
                           f"{' or '.join(WORK_DIRS)}, not one")
    mkdocs_alone, _ = run("mkdocs build alone", ["-c", _MKDOCS_ALONE, "mkdocs.yml",
                                                  str(work[0]), "mkdocs-only"],
                          project / "mkdocs-only" / "index.html")
    shutil.rmtree(project)
    return {"seconds": seconds, "mkdocs_alone_seconds": mkdocs_alone, "dataset": dataset,
            "site_bytes": site["site_bytes"], "html_pages": site["html_pages"]}


def _dataset(said: str) -> dict[str, int]:
    """The counts `builder demo` prints ("... 20 surveys, 70 fictitious CA owners, 300
    questions, 19590 answers, 21281 recorded changes"); those it does not print are
    left out."""
    return {key: int(m.group(1)) for key, word in (
        ("surveys", "surveys"), ("owners", "fictitious CA owners"),
        ("questions", "questions"), ("answers", "answers"), ("changes", "recorded changes"))
        if (m := re.search(rf"(\d+) {word}\b", said))}
