"""dev.py, the Quick start: `python3 dev.py test` finds (or installs) the Chromium the
browser tests need, or says in one line what to install and stops before any test runs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
assert spec and spec.loader
dev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dev)


def test_only_runs_that_include_browser_tests_need_a_browser() -> None:
    assert dev.needs_browser([])  # the whole suite
    assert dev.needs_browser(["-x", "-q", "-k", "compare"])
    assert dev.needs_browser(["tests"])
    assert dev.needs_browser(["tests/browser/test_browser.py::test_home_page_loads"])
    assert dev.needs_browser(["tests/project/test_cli.py", "tests/browser/test_accessibility.py"])
    assert dev.needs_browser(["tests/publish/test_search.py"])
    assert not dev.needs_browser(["-x", "tests/project/test_cli.py",
                                  "tests/store/test_store.py::test_x"])


def test_the_browser_is_csr_chromium_or_the_first_found() -> None:
    found = {"google-chrome": "/usr/bin/google-chrome", "chromium-browser": "/snap/bin/cb",
             "/opt/chrome": "/opt/chrome"}.get
    assert dev.find_chromium({}, found) == "/snap/bin/cb"
    assert dev.find_chromium({"CSR_CHROMIUM": "/opt/chrome"}, found) == "/opt/chrome"
    assert dev.find_chromium({"CSR_CHROMIUM": "/nowhere"}, found) is None
    assert dev.find_chromium({}, lambda name: None) is None


def test_without_a_browser_and_root_it_says_what_to_install_and_stops(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    monkeypatch.setattr(dev.os, "geteuid", lambda: 1000)
    monkeypatch.delenv("CSR_CHROMIUM", raising=False)

    def no_install(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing is installed or run")

    monkeypatch.setattr(dev, "ensure_environment", no_install)
    monkeypatch.setattr(dev.subprocess, "run", no_install)
    assert dev.main(["test"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == f"error: {dev.NO_BROWSER}\n"
    assert "apt-get install chromium" in out.err and "CSR_CHROMIUM" in out.err


def test_as_root_on_debian_it_installs_chromium_with_apt(
        monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[list[str]] = []
    monkeypatch.setattr(dev.os, "geteuid", lambda: 0)
    monkeypatch.setattr(dev.shutil, "which", lambda name: {
        "apt-get": "/usr/bin/apt-get",
        "chromium": "/usr/bin/chromium" if dev.APT_INSTALL in installed else None}.get(name))

    def fake_run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive"  # type: ignore[index]
        installed.append(cmd)
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(dev.subprocess, "run", fake_run)
    env: dict[str, str] = {}
    assert dev.ensure_chromium(env) == "/usr/bin/chromium"
    assert installed == [["apt-get", "update", "-qq"], dev.APT_INSTALL]
    assert env["CSR_CHROMIUM"] == "/usr/bin/chromium"


def test_the_builders_byte_code_is_written_before_the_site_is_built(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Even where PYTHONDONTWRITEBYTECODE is set (no command writes it then), so that no
    builder command compiles its modules again; up to date, it is left alone."""
    (tmp_path / "builder" / "core").mkdir(parents=True)
    (tmp_path / "builder" / "__init__.py").write_text("")
    (tmp_path / "builder" / "core" / "model.py").write_text("X = 1\n")
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev, "PYTHON", Path(sys.executable))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    steps: list[str] = []
    monkeypatch.setattr(dev, "ensure_environment", lambda requirements: steps.append("install"))
    real_run = dev.subprocess.run

    def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        steps.append("compile" if "compileall" in cmd else "build")
        return real_run(cmd, **kwargs) if "compileall" in cmd else \
            subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(dev.subprocess, "run", run)
    assert dev.main(["site", "-q"]) == 0
    assert steps == ["install", "compile", "build"]
    compiled = tmp_path / "builder" / "core" / "__pycache__" / \
        f"model.{sys.implementation.cache_tag}.pyc"
    assert compiled.is_file()
    before = compiled.stat().st_mtime_ns
    dev.compile_builder()
    assert compiled.stat().st_mtime_ns == before
