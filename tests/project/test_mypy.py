"""mypy (pinned in requirements/test.txt, strict on builder/ by pyproject.toml) finds nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_mypy_strict_finds_nothing_in_builder() -> None:
    exe = shutil.which("mypy", path=str(Path(sys.executable).parent))
    assert exe, "mypy is not installed: python3 dev.py test installs requirements/test.txt"
    # No cache: a stale cache from another checkout could hide an error.
    result = subprocess.run([exe, "--no-incremental", "--cache-dir", "/dev/null"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
