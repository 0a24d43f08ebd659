"""`pip install .` (not editable) gives a `builder` whose `build` works in a checkout:
the templates, theme overrides and hand-written pages are found next to mkdocs.yml.

Offline and quick: the wheel is built from a copy of the source by the test environment's
setuptools (--no-build-isolation, pinned in requirements/test.txt), installed with
--no-index --no-deps into a fresh venv (by the test environment's pip, with --python),
and the dependencies already installed in the test environment are made visible to that
venv by a .pth file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from conftest import ROOT, make_project


def test_a_non_editable_install_builds_the_site_of_a_checkout(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "builder", source / "builder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    pip = ["-m", "pip", "--disable-pip-version-check", "--quiet"]
    built = subprocess.run([sys.executable, *pip, "wheel", "--no-index", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = wheels.glob("ca_survey_record-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)  # pip runs from here, with --python
    python = env_dir / "bin" / "python"
    install = subprocess.run([sys.executable, *pip, "--python", str(python), "install",
                              "--no-index", "--no-deps", str(wheel)],
                             capture_output=True, text=True, timeout=300, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    site_packages = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies (click, Jinja2, MkDocs, ...) from the test environment, after the
    # venv's own site-packages, so its installed `builder` is the one imported.
    (site_packages / "test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    where = subprocess.run([str(python), "-c", "import builder; print(builder.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(site_packages)

    checkout = make_project(tmp_path / "checkout")
    shutil.copytree(ROOT / "data", checkout.data)
    result = subprocess.run([str(env_dir / "bin" / "builder"), "build", "--quiet"],
                            capture_output=True, text=True, cwd=checkout.root, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert (checkout.site / "index.html").is_file()
    assert (checkout.site / "about" / "index.html").is_file()
    assert sys.executable != str(python)
