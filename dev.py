#!/usr/bin/env python3
"""The two Quick start commands: `python3 dev.py site` and `python3 dev.py test`.

Each creates ./.venv if needed, installs the pinned requirements (skipped when they
have not changed since the last install), then builds the site or runs the tests.
Only the standard library is used here, so a fresh Python 3.11+ is enough.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment(requirements: str) -> None:
    if sys.version_info < (3, 11):
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


def run(*args: str) -> int:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "site":
        ensure_environment("site")
        return run("-m", "builder", "build", *argv[1:])
    if command == "test":
        ensure_environment("test")
        code = run("-m", "pytest", *argv[1:])
        return code
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    print("usage: python3 dev.py site [builder build options] | test [pytest options]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
