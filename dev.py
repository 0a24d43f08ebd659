#!/usr/bin/env python3
"""The two Quick start commands: `python3 dev.py site` and `python3 dev.py test`.

Each creates ./.venv if needed, installs the pinned requirements (skipped when they
have not changed since the last install), then builds the site or runs the tests.
`test` also finds the Chromium the browser tests drive (installing it with apt-get when
run as root on Debian or Ubuntu), or says what to install and stops: no test is skipped.
Only the standard library is used here, so a fresh Python 3.11+ is enough.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Debian's Chromium, or a Chrome (GitHub's Ubuntu runners ship Google Chrome)."""
BROWSER_DIR = "tests/browser"
"""Every test module there opens pages in Chromium; so does the search test."""
BROWSER_TESTS = ("test_search.py",)
APT_INSTALL = ["apt-get", "install", "-y", "-qq", "chromium"]
NO_BROWSER = ("the browser tests need Chromium: install it (Debian/Ubuntu: sudo apt-get "
              "install chromium) or set CSR_CHROMIUM=/path/to/chromium, then run this again")


def ensure_environment(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - runs on any Python 3, to say so
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    req_dir = ROOT / "requirements"
    digest = hashlib.sha256()
    for path in sorted(req_dir.glob("*.txt")) + [ROOT / "pyproject.toml"]:
        digest.update(path.read_bytes())
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    print(f"installing requirements/{requirements}.txt into {VENV}", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(req_dir / f"{requirements}.txt")], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(digest.hexdigest())


def compile_builder() -> None:
    """Write the builder's byte code: an editable install has none, and where
    PYTHONDONTWRITEBYTECODE is set no command writes it, so each would compile the ~100
    modules it imports again (a third of a second per command). Up-to-date files are
    left as they are; a module that does not compile is reported by what runs next."""
    subprocess.run([str(PYTHON), "-m", "compileall", "-qq", str(ROOT / "builder")],
                   check=False)


def needs_browser(pytest_args: Sequence[str]) -> bool:
    """The whole suite does; so does a selection naming a browser test or a folder."""
    paths = [a.split("::")[0] for a in pytest_args
             if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    browser = (ROOT / BROWSER_DIR).resolve()
    return not paths or any(Path(p).name in BROWSER_TESTS or (ROOT / p).is_dir()
                            or (ROOT / p).resolve().is_relative_to(browser) for p in paths)


def find_chromium(environ: Mapping[str, str],
                  which: Callable[[str], str | None]) -> str | None:
    """CSR_CHROMIUM if set, else the first browser of BROWSERS on the PATH."""
    if environ.get("CSR_CHROMIUM"):
        return which(environ["CSR_CHROMIUM"])
    return next((path for name in BROWSERS if (path := which(name))), None)


def can_apt_install(euid: int, which: Callable[[str], str | None]) -> bool:
    return euid == 0 and which("apt-get") is not None


def ensure_chromium(environ: dict[str, str]) -> str | None:
    """The browser's path (also put in environ as CSR_CHROMIUM), or None after saying why."""
    path = find_chromium(environ, shutil.which)
    if path is None and not environ.get("CSR_CHROMIUM") \
            and can_apt_install(os.geteuid() if hasattr(os, "geteuid") else -1, shutil.which):
        print("installing Chromium for the browser tests (apt-get install chromium)",
              flush=True)
        apt_env = {**environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_env)
        subprocess.run(APT_INSTALL, check=True, env=apt_env, stdout=subprocess.DEVNULL)
        path = find_chromium(environ, shutil.which)
    if path is None:
        what = (f"CSR_CHROMIUM={environ['CSR_CHROMIUM']} is not an executable; "
                if environ.get("CSR_CHROMIUM") else "")
        print(f"error: {what}{NO_BROWSER}", file=sys.stderr)
        return None
    environ["CSR_CHROMIUM"] = path
    return path


def run(*args: str, env: Mapping[str, str] | None = None) -> int:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "site":
        ensure_environment("site")
        compile_builder()
        return run("-m", "builder", "build", *argv[1:])
    if command == "test":
        env = dict(os.environ)
        if needs_browser(argv[1:]) and ensure_chromium(env) is None:
            return 1
        ensure_environment("test")
        compile_builder()
        return run("-m", "pytest", *argv[1:], env=env)
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    print("usage: python3 dev.py site [builder build options] | test [pytest options]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
