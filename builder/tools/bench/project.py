"""The benchmark's project copy, its child processes and the built site's sizes."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from builder.core.errors import BuilderError


def compile_code(package_parent: Path) -> str | None:
    """The byte code of the builder package under package_parent, written now as `pip
    install` writes it: where PYTHONDONTWRITEBYTECODE is set (this machine sets it), an
    editable checkout has none, and every process of a run would compile again each
    module it imports (a third of a second per one-change path). None when done, else
    why not (a read-only folder: its modules are then compiled by each process)."""
    import compileall

    package = package_parent / "builder"
    if compileall.compile_dir(str(package), quiet=2):
        return None
    return f"{package}: not every module's byte code could be written"


def run_child(name: str, root: Path, size: str) -> dict[str, Any]:
    """One stage in a fresh Python process; its figures, plus the process's wall time
    (interpreter start-up and imports included, as a `builder` command pays them)."""
    package_parent = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH"))
                                        if p)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "builder.tools.bench", name, str(root), size],
                          capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise BuilderError(f"benchmark stage {name} failed (exit {proc.returncode}):\n"
                           f"{proc.stderr.strip()[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_seconds"] = wall
    return result


def _config_dir(config_file: Path, key: str, default: str | None) -> str | None:
    """A folder setting of mkdocs.yml (docs_dir, theme custom_dir), read without YAML tags."""
    match = re.search(rf"^\s*{key}:\s*['\"]?([^'\"#\s]+)", config_file.read_text("utf-8"),
                      re.MULTILINE)
    return match.group(1) if match else default


def make_project(root: Path, config_file: Path) -> None:
    """mkdocs.yml, the templates, the theme overrides and the hand-written pages, copied
    into root (the builder then assembles each build in root/docs as its work folder)."""
    from builder.publish.workdir import handwritten_pages

    config_file = config_file.resolve()
    if not config_file.is_file():
        raise BuilderError(f"{config_file}: MkDocs configuration not found")
    base = config_file.parent
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(config_file, root / "mkdocs.yml")
    custom = _config_dir(config_file, "custom_dir", None)
    if custom and (base / custom).is_dir():
        shutil.copytree(base / custom, root / custom)
    if (base / "site_templates").is_dir():
        shutil.copytree(base / "site_templates", root / "site_templates")
    docs = base / (_config_dir(config_file, "docs_dir", "docs") or "docs")
    for rel, data in handwritten_pages(docs).items():
        (root / "handwritten" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "handwritten" / rel).write_bytes(data)
    text, found = re.subn(r"^docs_dir:.*$", "docs_dir: handwritten",
                          (root / "mkdocs.yml").read_text("utf-8"), flags=re.MULTILINE)
    (root / "mkdocs.yml").write_text(text if found else text + "\ndocs_dir: handwritten\n",
                                     "utf-8")


def site_metrics(site_dir: Path) -> dict[str, Any]:
    files = [p for p in site_dir.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    largest = max(pages, key=lambda p: p.stat().st_size) if pages else None
    index = sorted((site_dir / "search").rglob("*.json"))  # builder/publish/search
    downloads = [p for p in (site_dir / "downloads").rglob("*") if p.is_file()]
    return {
        "site_bytes": sum(p.stat().st_size for p in files),
        "site_files": len(files),
        "downloads_bytes": sum(p.stat().st_size for p in downloads),
        "downloads_files": len(downloads),
        "html_pages": len(pages),
        "largest_page": largest.relative_to(site_dir).as_posix() if largest else None,
        "largest_page_bytes": largest.stat().st_size if largest else 0,
        "search_index_bytes": sum(p.stat().st_size for p in index),
        "search_index_gzip_bytes": sum(len(gzip.compress(p.read_bytes(), compresslevel=6,
                                                         mtime=0)) for p in index),
    }
