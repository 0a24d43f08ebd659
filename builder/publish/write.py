"""Write generated pages into docs/: only what changed, stale pages removed, never outside.

Pages go in one all-or-nothing save (`write_pages`). Large files (the downloads) are
streamed to disk as they are made (`StreamedFiles`), each replaced in one rename only
when its bytes changed; `write_pages` then lists them in the manifest as `kept`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from builder.core.errors import BuildFailed
from builder.store.durable import FILE_MODE, complete_pending, write_files

MANIFEST = ".generated-pages.json"
"""Lists the pages the builder wrote last time, so it can remove those that disappeared
without touching hand-written pages beside them."""
MANIFEST_LOCK = ".generated-pages.lock"
"""flock'ed while a process adds to the manifest: the pages' and the downloads'
processes each claim their files at the same time."""


@dataclass(frozen=True)
class WriteReport:
    written: list[str]
    removed: list[str]


class _Within:
    """Paths under one folder, refused when they would leave it: by their text (absolute,
    `..`) or on disk (a symbolic link on the way). The folder is resolved once and each
    directory checked once: resolving every path again walked the whole folder's path for
    each of a site's thousands of files. Plain strings until the Path is returned
    (pathlib per part was most of the cost of writing a search index)."""

    def __init__(self, root: Path) -> None:
        self.given, self.root = root, root.resolve()
        self.top = str(self.root).rstrip("/")
        self.checked: set[str] = set()

    def __call__(self, rel: str) -> Path:
        parts = [part for part in rel.split("/") if part not in ("", ".")]
        if not parts or rel.startswith("/") or ".." in parts:
            raise BuildFailed(f"refusing to write {rel!r}: it is outside {self.given}")
        path = self.top
        for depth, part in enumerate(parts, start=1):
            path = f"{path}/{part}"
            if path in self.checked:
                continue
            if os.path.islink(path):
                raise BuildFailed(f"refusing to write {rel!r}: {path} is a symbolic link "
                                  f"(it could lead outside {self.given})")
            if depth < len(parts):
                self.checked.add(path)
        return Path(path)


def _manifest(docs_dir: Path) -> list[str]:
    path = docs_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _manifest_text(paths: Iterable[str]) -> str:
    return json.dumps(sorted(paths), indent=0) + "\n"


def write_pages(pages: Mapping[str, str | bytes], docs_dir: Path,
                kept: Collection[str] = ()) -> WriteReport:
    """Write the pages; `kept` are files already written there (StreamedFiles): listed in
    the manifest and not removed."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    inside = _Within(docs_dir)
    for rel in pages:
        inside(rel)
    previous = _manifest(docs_dir)
    files = {**pages, MANIFEST: _manifest_text({*pages, *kept})}
    # Not fsynced: docs/ is rendered again from data/ by the next build.
    written = [w for w in write_files(docs_dir, files, durable=False) if w != MANIFEST]
    removed = []
    for rel in sorted(set(previous) - set(pages) - set(kept)):
        target = inside(rel)
        if target.exists():
            target.unlink()
            removed.append(rel)
            parent = target.parent
            while parent != inside.root and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return WriteReport(written, removed)


@contextmanager
def _manifest_lock(root: Path) -> Iterator[None]:
    with open(root / MANIFEST_LOCK, "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file is closed
        yield


@dataclass(frozen=True)
class FileInfo:
    """A file written into docs/: its docs-relative path, size and SHA-256 (hex)."""

    path: str
    size: int
    sha256: str


class _Hashing:
    """A binary sink that counts and hashes what passes through it to `target`."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.size, self.digest = target, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.size += len(data)
        self.digest.update(data)
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


def _size_of(target: Path) -> int | None:
    """The size of the regular file at target (None: none there)."""
    try:
        found = os.stat(target)
    except OSError:
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


def _holds(target: Path, info: FileInfo) -> bool:
    if _size_of(target) != info.size:
        return False
    with target.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest() == info.sha256


@dataclass
class StreamedFiles:
    """Files written into docs_dir one by one as they are made, never held in memory.

    Each goes to a hidden `.NAME.partial` beside its target and replaces it in one rename,
    only if its bytes differ (an unchanged file is not rewritten). `plan` first adds every
    path a run may write to the manifest, so that files left by a failed run are still
    the builder's and the next `write_pages` removes those that are no longer made.
    """

    root: Path
    files: dict[str, FileInfo] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    inside: _Within = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.inside = _Within(self.root)

    def plan(self, paths: Iterable[str]) -> None:
        wanted = set(paths)
        for rel in wanted:
            self.inside(rel)
        self.root.mkdir(parents=True, exist_ok=True)
        with _manifest_lock(self.root):
            complete_pending(self.root, durable=False)  # a page save cut short comes first
            previous = set(_manifest(self.root))
            if not wanted <= previous:
                write_files(self.root, {MANIFEST: _manifest_text(previous | wanted)},
                            durable=False)

    @contextmanager
    def open(self, rel: str) -> Iterator[_Hashing]:
        target = self.inside(rel)
        if rel in self.files:
            raise BuildFailed(f"two files would be written to {rel}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            with partial.open("wb") as fh:
                sink = _Hashing(fh)
                yield sink
            info = FileInfo(rel, sink.size, sink.digest.hexdigest())
            if _holds(target, info):
                partial.unlink()
            else:
                os.chmod(partial, FILE_MODE)
                os.replace(partial, target)
                self.written.append(rel)
        finally:
            partial.unlink(missing_ok=True)
        self.files[rel] = info

    def put(self, rel: str, data: bytes) -> None:
        """A file whose bytes are in memory: compared with the file there first, and
        written (as `open` writes) only if they differ."""
        target = self.inside(rel)
        if rel not in self.files and _size_of(target) == len(data) and \
                target.read_bytes() == data:
            self.files[rel] = FileInfo(rel, len(data), hashlib.sha256(data).hexdigest())
            return
        with self.open(rel) as sink:
            sink.write(data)

    def keep(self, infos: list[FileInfo]) -> bool:
        """Keep files made by an earlier run, all of them if each is there with its size,
        else none."""
        for info in infos:
            target = self.inside(info.path)
            if info.path in self.files or _size_of(target) != info.size:
                return False
        self.files.update((info.path, info) for info in infos)
        return True
