"""What a site was built from, per input: decides between skipping MkDocs, the
incremental site step (incremental.py) and a full build.

The stamp (`.build-fingerprint` in the site) holds one hash of the environment (the
versions of the builder, MkDocs, Markdown and the theme, the site URL, mkdocs.yml, the
theme overrides and the hand-written pages) and the SHA-256 of every file of the work
folder that MkDocs reads (dot-files are not: MkDocs leaves them out). A change to the
environment means a full build: it can change every page, and a hand-written page goes
through Markdown, whose links to anchors MkDocs checks across pages. The templates are
not in it: they reach MkDocs only as the generated pages, compared file by file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import __version__
from builder.publish.mkdocs_config import theme_dir

SHA256 = re.compile(r"[0-9a-f]{64}")
DIST_INFO = ".dist-info"
FINGERPRINT = ".build-fingerprint"
"""The stamp's file, in the site."""


@dataclass(frozen=True)
class Stamp:
    env: str
    files: Mapping[str, str]

    def dumps(self) -> str:
        return json.dumps({"env": self.env, "files": self.files}, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Plan:
    """What the site step does: "skip", "incremental" (the files `changed`) or "full"."""

    action: str
    reason: str
    changed: tuple[str, ...] = ()


def load_stamp(path: Path) -> Stamp | None:
    """The stamp of a site, or None (no site, or one built by an older builder)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        files = raw["files"]
        if not isinstance(raw["env"], str) or not all(
                isinstance(v, str) and SHA256.fullmatch(v) for v in files.values()):
            return None
        return Stamp(raw["env"], {str(k): v for k, v in files.items()})
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def hash_trees(digest: hashlib._Hash, trees: Iterable[Path]) -> None:
    for tree in trees:
        digest.update(b"\0tree\0" + str(tree.name).encode("utf-8", "surrogateescape"))
        if not tree.is_dir():
            continue
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(tree)).encode("utf-8", "surrogateescape"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())


HASHES = ".work-hashes.json"
"""In the work folder: each file's (size, mtime_ns, inode) when it was hashed and its
hash. A file with the same identity next time keeps its hash (as inputs.py does), so a
build hashes only what it wrote. A cache, never trusted for anything else."""


def _known_hashes(docs_dir: Path) -> dict[str, list[Any]]:
    try:
        raw = json.loads((docs_dir / HASHES).read_text(encoding="utf-8"))
        return raw if isinstance(raw, dict) else {}
    except (OSError, ValueError):
        return {}


def _visible_files(folder: str, prefix: str) -> Iterator[tuple[str, str]]:
    """(path relative to the top, path) of every file under folder that is not hidden and
    in no hidden folder, in sorted order (what MkDocs reads)."""
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir():
            yield from _visible_files(entry.path, f"{prefix}{entry.name}/")
        else:
            yield prefix + entry.name, entry.path


def work_files(docs_dir: Path) -> dict[str, str]:
    """The SHA-256 of every file of the work folder that MkDocs reads."""
    known = _known_hashes(docs_dir)
    found, cache = {}, {}
    for rel, path in _visible_files(str(docs_dir), ""):
        stat = os.stat(path)
        entry = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        old = known.get(rel)
        if isinstance(old, list) and len(old) == 4 and old[:3] == entry \
                and isinstance(old[3], str) and SHA256.fullmatch(old[3]):
            sha = old[3]
        else:
            with open(path, "rb") as handle:
                sha = hashlib.file_digest(handle, "sha256").hexdigest()
        found[rel] = sha
        cache[rel] = [*entry, sha]
    if cache != known and docs_dir.is_dir():
        tmp = docs_dir / f"{HASHES}.tmp"
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        os.replace(tmp, docs_dir / HASHES)
    return found


def plan(previous: Stamp | None, current: Stamp, full: bool = False) -> Plan:
    """Skip when nothing changed; incremental when only existing files changed; else (or
    with `full`) a full build, with the reason."""
    if previous is None:
        return Plan("full", "no stamp of a previous build in the site")
    if full:
        return Plan("full", "--full")
    if previous.env != current.env:
        return Plan("full", "the configuration, theme overrides, templates, hand-written "
                            "pages, site URL or versions changed")
    if set(previous.files) != set(current.files):
        return Plan("full", "files were added or removed")
    changed = tuple(sorted(rel for rel, sha in current.files.items()
                           if sha != previous.files[rel]))
    if not changed:
        return Plan("skip", "nothing changed")
    return Plan("incremental", f"{len(changed)} file(s) changed", changed)


SITE_PACKAGES = ("mkdocs", "mkdocs-material", "markdown")
"""The distributions whose versions are part of the environment."""


def versions() -> str:
    """'NAME VERSION' of each of SITE_PACKAGES, one per line ('?' if not installed)."""
    return "\n".join(f"{name} {installed_version(name) or '?'}" for name in SITE_PACKAGES)


def installed_version(name: str, path: Iterable[str] | None = None) -> str | None:
    """The version of an installed distribution, read from the name of its metadata
    folder on `path` (default sys.path): the packaging specification names it
    NAME-VERSION.dist-info, both normalized, and pip writes one for every install.
    Anything else (an egg-info install) is asked of importlib.metadata, whose import
    alone cost every build, a no-change one included, 40-60 ms."""
    prefix = re.sub(r"[-_.]+", "_", name).lower() + "-"
    for entry in sys.path if path is None else path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a folder since removed
            continue
        for found in names:
            lowered = found.lower()
            if lowered.startswith(prefix) and lowered.endswith(DIST_INFO):
                version = found[len(prefix):-len(DIST_INFO)]
                if version and "-" not in version:
                    return version
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment(config_file: Path, trees: list[Path], site_url: str | None = None) -> str:
    """A hash of what MkDocs reads besides the work folder's files: the configuration,
    the theme overrides (custom_dir), `trees` (the hand-written pages), the
    site URL and the versions of the builder, MkDocs, Markdown and the theme."""
    digest = hashlib.sha256(f"builder {__version__}\n{versions()}\nsite_url {site_url}\n"
                            .encode())
    theme = theme_dir(config_file)
    hash_trees(digest, trees + ([theme] if theme is not None else []))
    digest.update(config_file.read_bytes())
    return digest.hexdigest()
