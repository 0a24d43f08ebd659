"""`builder build`: store -> Markdown pages -> MkDocs (strict) -> swap in the new site.

A failed build leaves the previous site untouched. When nothing that feeds MkDocs
changed, the MkDocs build is skipped entirely.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from builder import __version__
from builder.downloads import render_downloads, render_downloads_page
from builder.durable import DIR_MODE, FILE_MODE
from builder.errors import BuildFailed, BuilderError
from builder.render import render_pages
from builder.store import load_store
from builder.write import write_pages

FINGERPRINT = ".build-fingerprint"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "site_templates"


@dataclass
class BuildReport:
    pages: int
    written: list[str]
    removed: list[str]
    mkdocs_ran: bool
    site_dir: Path
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        site = "built" if self.mkdocs_ran else "unchanged, MkDocs build skipped"
        return (f"{self.pages} generated page(s): {len(self.written)} written, "
                f"{len(self.removed)} removed; site {site}: {self.site_dir}")


def _theme_dir(config_file: Path) -> Path | None:
    """The theme's custom_dir (template overrides) named in mkdocs.yml, if any."""
    match = re.search(r"^\s+custom_dir:\s*['\"]?([^'\"#\s]+)",
                      config_file.read_text(encoding="utf-8"), re.MULTILINE)
    return config_file.parent / match.group(1) if match else None


def _versions() -> str:
    import importlib.metadata

    found = []
    for name in ("mkdocs", "mkdocs-material"):
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} ?")
    return "\n".join(found)


def fingerprint(docs_dir: Path, config_file: Path) -> str:
    """A hash of everything MkDocs reads: the docs tree, the configuration, the theme
    overrides (custom_dir) and the versions of MkDocs and the theme."""
    digest = hashlib.sha256(f"builder {__version__}\n{_versions()}\n".encode())
    theme = _theme_dir(config_file)
    for tree in [docs_dir] + ([theme] if theme is not None and theme.is_dir() else []):
        digest.update(b"\0tree\0")
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(tree)).encode("utf-8", "surrogateescape"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(config_file.read_bytes())
    return digest.hexdigest()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config_file: Path, docs_dir: Path, out_dir: Path) -> None:
    """mkdocs build --strict into out_dir; raises BuildFailed with the first problem."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(config_file), docs_dir=str(docs_dir.resolve()),
                             site_dir=str(out_dir), strict=True)
        build(config)
    except MkDocsException as exc:
        detail = handler.messages[0] if handler.messages else str(exc)
        raise BuildFailed(f"mkdocs build --strict failed: {detail}") from exc
    except Exception as exc:  # a theme or plugin bug must not leave a half-built site
        raise BuildFailed(f"mkdocs build failed: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(handler)


def make_public(tree: Path) -> None:
    """Folders 0755, files 0644, whatever the umask or mkdtemp chose (0700): a published
    site must be readable by any web server or artifact step."""
    os.chmod(tree, DIR_MODE)
    for folder, dirs, files in os.walk(tree):
        for name in dirs:
            if not os.path.islink(path := os.path.join(folder, name)):
                os.chmod(path, DIR_MODE)
        for name in files:
            if not os.path.islink(path := os.path.join(folder, name)):
                os.chmod(path, FILE_MODE)


def swap_in(new_dir: Path, site_dir: Path) -> None:
    """Replace site_dir by new_dir with two renames; the old tree is removed after."""
    make_public(new_dir)
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}-old-{time.time_ns()}")
        site_dir.rename(old)
    new_dir.rename(site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(data_dir: Path, *, docs_dir: Path, site_dir: Path, config_file: Path,
               templates_dir: Path = TEMPLATES_DIR) -> BuildReport:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if not config_file.is_file():
        raise BuilderError(f"{config_file}: MkDocs configuration not found")
    store = load_store(data_dir)
    timings["load"] = time.perf_counter() - start
    pages = render_pages(store, templates_dir)
    timings["pages"] = time.perf_counter() - start - timings["load"]
    downloads = render_downloads(store)  # open data (CSV, JSON, SQLite) under downloads/
    pages.update(render_downloads_page(downloads, store, templates_dir))
    timings["render"] = time.perf_counter() - start - timings["load"]
    timings["downloads"] = timings["render"] - timings["pages"]  # part of "render"
    written = write_pages({**pages, **downloads}, docs_dir)
    timings["write"] = time.perf_counter() - start - timings["load"] - timings["render"]
    page_count = len(pages)
    del store, pages, downloads  # written out: free them before MkDocs reads it all again
    stamp_start = time.perf_counter()
    stamp = fingerprint(docs_dir, config_file)
    timings["fingerprint"] = time.perf_counter() - stamp_start
    stamp_file = site_dir / FINGERPRINT
    ran = False
    if not (stamp_file.exists() and stamp_file.read_text() == stamp):
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-build-", dir=site_dir.parent))
        try:
            mkdocs_start = time.perf_counter()
            run_mkdocs(config_file, docs_dir, tmp)
            timings["mkdocs"] = time.perf_counter() - mkdocs_start
            (tmp / FINGERPRINT).write_text(stamp)
            swap_in(tmp, site_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        ran = True
    timings["total"] = time.perf_counter() - start
    return BuildReport(page_count, written.written, written.removed, ran, site_dir, timings)
