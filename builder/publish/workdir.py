"""The folders a build works in: the hand-written pages it reads and the work folder,
one per data folder, where it assembles the generated pages for MkDocs."""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from builder.core.errors import BuilderError
from builder.publish.stamp import FINGERPRINT
from builder.publish.write import MANIFEST
from builder.store.lock import folder_lock

if TYPE_CHECKING:
    import jinja2

WORK_ROOT = ".build-docs"
"""Under the project folder: the default work folders, one per data folder."""
TEMPLATE_CACHE = ".template-cache"
"""In a work folder: the compiled Jinja templates (ours and the theme's), so a build
does not compile them again (Jinja checks each against its source). Hidden: MkDocs
does not publish it."""
STORE_CACHE = ".store-cache"
"""In a work folder: the surveys as read by the last builds (builder.store.cache), so a
build reads from text only those whose files changed. Hidden, like the template cache."""


BUILD_LOCK = ".build.lock"
"""In a work folder while a build uses it (flock'ed, exclusive; removed after)."""


def work_dir_lock(work_dir: Path) -> AbstractContextManager[None]:
    """One build at a time per work folder, hence per site: two at once would write the
    same pages and the same site's save journal."""
    busy = (f"{work_dir}: another build is using this work folder ({{holder}}); try again "
            "when it has finished")
    return folder_lock(work_dir, BUILD_LOCK, busy=busy)


def template_cache(work_dir: Path) -> jinja2.BytecodeCache:
    import jinja2  # here: a build with nothing to do never loads the templates' engine

    folder = work_dir / TEMPLATE_CACHE
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def is_work_dir(folder: Path) -> bool:
    """A folder the builder assembled (it holds the manifest of what it generated)."""
    return (folder / MANIFEST).is_file()


def handwritten_pages(docs_dir: Path) -> dict[str, bytes]:
    """Every file of the hand-written docs folder, by relative path. Files an older
    builder generated there (listed in its manifest) are left out."""
    if not docs_dir.is_dir():
        raise BuilderError(f"{docs_dir}: the folder of hand-written pages (docs_dir of "
                           "mkdocs.yml) does not exist")
    manifest = docs_dir / MANIFEST
    generated = set(json.loads(manifest.read_text("utf-8"))) if manifest.exists() else set()
    return {rel: path.read_bytes() for path in sorted(docs_dir.rglob("*"))
            if path.is_file() and (rel := path.relative_to(docs_dir).as_posix()) != MANIFEST
            and rel not in generated}


def default_work_dir(config_file: Path, data_dir: Path) -> Path:
    """The work folder of a data folder: keyed by its full path, named after it."""
    resolved = data_dir.resolve()
    key = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", resolved.name).strip("-")[:40] or "data"
    return config_file.resolve().parent / WORK_ROOT / f"{name}-{key}"


def check_work_dir(work_dir: Path, docs_dir: Path) -> None:
    """The work folder is the builder's alone: apart from the hand-written pages, and
    either new or one the builder made (it removes files there)."""
    work, docs = work_dir.resolve(), docs_dir.resolve()
    if work == docs or docs in work.parents or work in docs.parents:
        raise BuilderError(f"{work_dir}: the work folder for the generated pages must be apart "
                           f"from the hand-written pages in {docs_dir}")
    if work.is_dir() and any(p.name != BUILD_LOCK for p in work.iterdir()) \
            and not (work / MANIFEST).exists():
        raise BuilderError(f"{work_dir}: this folder is not empty and is not a work folder of "
                           f"the builder (it has no {MANIFEST}): refusing to write into it")


def check_site_dir(site_dir: Path, read: dict[str, Path], project: Path) -> None:
    """The site folder is replaced whole by a full build, so it must be the builder's
    alone: new, empty or a site the builder built (its stamp), apart from every folder
    the build reads or writes (`read`: what each is, its path), and not holding the
    project folder. Else a mistyped --site-dir would remove the data store or any folder."""
    site = site_dir.resolve()
    if site == project.resolve() or site in project.resolve().parents:
        raise BuilderError(f"{site_dir}: the site folder would hold the project folder "
                           f"({project}): a build replaces it whole")
    for what, path in read.items():
        other = path.resolve()
        if other == site or site in other.parents or other in site.parents:
            raise BuilderError(f"{site_dir}: the site folder must be apart from the {what} "
                               f"({path}): a build replaces it whole")
    if site.is_dir() and any(site.iterdir()) and not (site / FINGERPRINT).is_file():
        raise BuilderError(f"{site_dir}: this folder is not empty and is not a site the "
                           f"builder built (it has no {FINGERPRINT}): refusing to replace it; "
                           "give a new or empty folder, or remove this one first")
