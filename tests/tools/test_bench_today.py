"""`builder bench`'s side-by-side build by today's code (bench/today.py): the files of a
commit of a git history, which write the run's demo dataset and build it with their own
command line; a commit
that is not there, or a build that fails, is a reason given, not a figure; the 40%
target is a ratio to that build. No timing is asserted."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.publish.workdir import handwritten_pages
from builder.tools.bench.targets import FULL_SHARE_MAX, TODAY, check_targets
from builder.tools.bench.today import TODAY_PATHS, build_today, checkout
from builder.tools.demo import write_demo
from conftest import ROOT

FULL = "full build at most 40% of today's"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench test", "-c",
                           "user.email=bench@example.invalid", *args], check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository whose one commit holds this tree's builder, templates, theme
    overrides, hand-written pages and mkdocs.yml (a stand-in for today's commit)."""
    repo = tmp_path_factory.mktemp("history")
    for name in ("builder", "site_templates", "overrides"):
        shutil.copytree(ROOT / name, repo / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for rel, data in handwritten_pages(ROOT / "docs").items():
        (repo / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / "docs" / rel).write_bytes(data)
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    (repo / "later.txt").write_text("not one of today's paths\n", "utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "today")
    return repo, _git(repo, "rev-parse", "HEAD")


def test_todays_code_builds_its_demo_dataset_in_a_project_of_its_own(
        history: tuple[Path, str], tmp_path: Path) -> None:
    repo, commit = history
    code = tmp_path / "today-code"
    assert checkout(repo, commit, code) is None
    assert sorted(p.name for p in code.iterdir()) == sorted(TODAY_PATHS)
    assert (code / "builder" / "__main__.py").is_file()
    figures = build_today(code, "small", tmp_path / "project")
    assert figures["seconds"] > 0 and figures["mkdocs_alone_seconds"] > 0
    assert figures["html_pages"] > 30
    assert figures["site_bytes"] > 1_000_000
    assert not (tmp_path / "project").exists()  # its project and site are removed
    summary = write_demo(tmp_path / "data", "small")  # the dataset this code writes
    assert figures["dataset"] == {"surveys": summary.surveys, "owners": summary.owners,
                                  "questions": summary.questions,
                                  "answers": summary.answers, "changes": summary.changes}


def test_a_commit_not_in_the_history_is_a_reason(history: tuple[Path, str],
                                                 tmp_path: Path) -> None:
    repo, _commit = history
    why = checkout(repo, "0" * 40, tmp_path / "today-code")
    assert why is not None and why.startswith("commit 000000000000 is not in ")
    assert not (tmp_path / "today-code").exists()
    assert checkout(tmp_path, "HEAD", tmp_path / "x") is not None  # not a repository


def test_a_failed_build_by_todays_code_says_why(tmp_path: Path) -> None:
    code = tmp_path / "today-code"
    (code / "builder").mkdir(parents=True)
    (code / "builder" / "__main__.py").write_text(
        "import sys\nprint('today cannot read this store', file=sys.stderr)\nsys.exit(1)\n",
        "utf-8")
    with pytest.raises(RuntimeError, match=r"demo failed \(exit 1\): today cannot read"):
        build_today(code, "small", tmp_path / "project")


def _result(full: float, today: dict | None) -> dict:
    """The least of a benchmark result the targets read."""
    spread = {"median": full, "min": full, "max": full}
    path = {"seconds": {"median": 1.0}, "import": {"median": 0.2}, "build": {"median": 0.8}}
    result = {"size": "realistic", "seconds": {
        "full_build": spread, "mkdocs_alone": spread, "no_change": spread,
        "import_json": spread, "import_csv": spread},
        "change_path": {"change_json": path, "change_csv": path},
        "identical": {"differing_files": 0},
        "rebuilds": {"no_change": {"files_written": 0, "site_step": "skip"}},
        "peak_rss_bytes": {"full_build": 1}, "site": {"site_bytes": 1, "downloads_bytes": 1},
        "search": {"skipped": "-"}, "exports": {"json": {"records": 1}}}
    if today is not None:
        result["today_build"] = today
    return json.loads(json.dumps(result))


def test_the_full_build_target_is_a_ratio_to_todays_build_of_the_same_run() -> None:
    commit = "7d17656b6a86ad946a6cd854310a1d4765e58d31"
    side = {"commit": commit, "seconds": {"median": 30.0, "min": 29.0, "max": 31.0},
            "same_dataset": True,
            "mkdocs_alone_seconds": {"median": 12.0, "min": 12.0, "max": 12.0}}
    checks = {t["name"]: t for t in check_targets(_result(11.0, side))}
    full = checks[FULL]
    assert full["unit"] == "x" and full["limit"] == FULL_SHARE_MAX
    assert full["value"] == pytest.approx(11.0 / 30.0) and full["met"] is True
    assert "today's code 30.00 s, the same demo dataset" in full["note"]
    assert "(commit 7d17656)" in full["note"]
    assert check_targets(_result(13.0, side))[3]["met"] is False  # 43% of today's
    other = dict(side, same_dataset=False, dataset={"answers": 5})
    assert "NOT the same demo dataset (today's: {'answers': 5})" in check_targets(
        _result(11.0, other))[3]["note"]
    mkdocs = checks["full build no slower than mkdocs build alone on today's pages"]
    assert (mkdocs["value"], mkdocs["limit"], mkdocs["met"]) == (11.0, 12.0, True)
    assert "today's code's pages in this run" in mkdocs["note"]
    change = checks["one changed answer, json import to published site"]
    assert change["limit"] == pytest.approx(1.1)  # still 10% of this run's full build
    assert "3.3% of today's (30.00 s)" in change["note"]


def test_without_todays_build_the_target_falls_back_to_the_written_figure() -> None:
    full = {t["name"]: t for t in check_targets(
        _result(7.0, {"commit": "c", "skipped": "git is not installed"}))}[FULL]
    assert full["unit"] == "s" and full["value"] == 7.0
    assert full["limit"] == pytest.approx(FULL_SHARE_MAX * TODAY["full_build_seconds"])
    assert "(git is not installed)" in full["note"] and full["met"] is True
    mkdocs = {t["name"]: t for t in check_targets(_result(7.0, None))}[
        "full build no slower than mkdocs build alone on today's pages"]
    assert mkdocs["limit"] == TODAY["mkdocs_alone_seconds"] and "27 November" in mkdocs["note"]
