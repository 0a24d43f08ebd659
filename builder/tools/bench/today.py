"""Today's code (issue #16's baseline) built side by side with this code, on the same data.

The issue's relative targets ("at most 40% of today's") are ratios, and a ratio is only
as good as the two figures it divides: the host's speed varies by two times and more from
one hour to the next, so a build is compared with today's build measured in the same run,
interleaved with it, not with seconds written down on another day (targets.TODAY, the
fallback where today's code cannot be run).

Today's code is the commit the issue was filed against, taken from this checkout's git
history (`git archive`): its builder, templates, theme overrides, hand-written pages and
mkdocs.yml, run with this interpreter and its packages (MkDocs and mkdocs-material are
the same pinned versions), by its own command line, `python -m builder build`.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

TODAY_COMMIT = "32b8a54563858488a2d1b82cc6e2029db5b00f5c"
"""The last commit before the work on issue #16 (1 December 2026, 11:11 UTC): the code
whose full build the issue measured at 27.1 s."""

TODAY_PATHS = ("builder", "site_templates", "overrides", "docs", "mkdocs.yml")
"""What a build of that commit reads besides the data (its docs/ holds the hand-written
pages; its work folder is made inside the project)."""

CODE_DIR = "today-code"
"""Beside the runs' projects in the benchmark's temporary folder."""

TODAY_WORK_DIRS = ".build-docs"
"""Where today's code assembles the pages MkDocs builds: a work folder per data folder,
inside this folder of the project."""

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


def build_today(code: Path, data_dir: Path, project: Path) -> dict[str, Any]:
    """A full build from nothing of data_dir (copied) by today's code, in a project of
    its own, then MkDocs' own build of the pages it generated; their wall seconds, the
    site's pages and size. Raises RuntimeError with the command's last words if either
    fails (a data format today's code cannot read)."""
    from builder.tools.bench.project import site_metrics

    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in TODAY_PATHS[1:]:
        source = code / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.is_file():
            shutil.copy(source, project / name)
    shutil.copytree(data_dir, project / "data")
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env["PYTHONPATH"] = str(code)  # today's package, not this one
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "builder", "build", "-q"], cwd=project,
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    _check(proc, "build", project / "site")
    site = site_metrics(project / "site")
    work = [d for d in (project / TODAY_WORK_DIRS).iterdir() if (d / "index.md").is_file()]
    if len(work) != 1:
        raise RuntimeError(f"today's build left {len(work)} work folders in "
                           f"{TODAY_WORK_DIRS}/, not one")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MKDOCS_ALONE, "mkdocs.yml", str(work[0]),
                           str(project / "mkdocs-only")],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    mkdocs_alone = time.perf_counter() - start
    _check(proc, "mkdocs build alone", project / "mkdocs-only")
    shutil.rmtree(project)
    return {"seconds": seconds, "mkdocs_alone_seconds": mkdocs_alone,
            "site_bytes": site["site_bytes"], "html_pages": site["html_pages"]}


def _check(proc: subprocess.CompletedProcess[str], what: str, site: Path) -> None:
    if proc.returncode != 0 or not (site / "index.html").is_file():
        raise RuntimeError(f"today's {what} failed (exit {proc.returncode}): "
                           + (proc.stderr.strip()[-2000:] or proc.stdout.strip()[-2000:]))
