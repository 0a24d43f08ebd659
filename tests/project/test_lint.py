"""ruff (pinned in requirements/test.txt, configured in pyproject.toml) finds nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_finds_nothing_in_builder_and_tests() -> None:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert exe, "ruff is not installed: python3 dev.py test installs requirements/test.txt"
    result = subprocess.run([exe, "check", "--no-cache", "--output-format", "concise",
                             "builder", "tests"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
