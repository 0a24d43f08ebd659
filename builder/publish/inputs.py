"""What a build read, cheaply: known to be unchanged without loading the store.

A record in the work folder (`.build-inputs.json`) holds, for every file a build reads
(the data folder, the templates, the hand-written pages, mkdocs.yml, the theme overrides,
the builder's own code) its size, mtime_ns, inode and SHA-256, plus a hash of the rest
(versions, site URL, the places read) and the identity of the site it produced. When
every file's identity is the one recorded, or its content hash is (a file touched or
copied back), nothing changed: the build has nothing to do. The record is removed before
a build changes anything and written only once the build has succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.store.lock import LOCK_FILE

RECORD = ".build-inputs.json"
VERSION = 1
SKIPPED = (LOCK_FILE,)
"""The store's lock file: rewritten by every reader, never data."""

Identity = tuple[int, int, int]
"""(size, mtime_ns, inode) of a file."""


@dataclass(frozen=True)
class Inputs:
    env: str
    files: Mapping[str, tuple[Identity, str]]
    """'<tree>\\0<relative path>' -> (identity, SHA-256)."""
    pages: int
    """The generated pages of the build that read them (for its report)."""

    def dumps(self) -> str:
        return json.dumps({"version": VERSION, "env": self.env, "pages": self.pages,
                           "files": {k: [*ident, sha] for k, (ident, sha)
                                     in self.files.items()}}, sort_keys=True) + "\n"


def _identity(stat: os.stat_result) -> Identity:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def identities(trees: Mapping[str, Path]) -> dict[str, tuple[str, Identity]]:
    """'<name>\\0<relative path>' -> (absolute path, identity) of every file of each tree
    (a tree may be a single file)."""
    found: dict[str, tuple[str, Identity]] = {}
    for name, tree in trees.items():
        if tree.is_file():
            found[f"{name}\0"] = (str(tree), _identity(tree.stat()))
            continue
        for folder, dirs, files in os.walk(tree):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for file in sorted(files):
                if folder == str(tree) and file in SKIPPED:
                    continue
                path = os.path.join(folder, file)
                rel = os.path.relpath(path, tree).replace(os.sep, "/")
                found[f"{name}\0{rel}"] = (path, _identity(os.stat(path)))
    return found


def current(env: str, trees: Mapping[str, Path], previous: Inputs | None) -> Inputs:
    """The inputs now; a file whose identity is the recorded one keeps its recorded hash
    (it is hashed only when its identity differs)."""
    known = previous.files if previous is not None and previous.env == env else {}
    files = {}
    for key, (path, ident) in identities(trees).items():
        old = known.get(key)
        files[key] = (ident, old[1] if old is not None and old[0] == ident else _sha256(path))
    return Inputs(env, files, 0)


def unchanged(previous: Inputs | None, now: Inputs) -> bool:
    return previous is not None and previous.env == now.env and {
        k: sha for k, (_, sha) in previous.files.items()} == {
        k: sha for k, (_, sha) in now.files.items()}


def load(work_dir: Path) -> Inputs | None:
    """The record of the last successful build, or None (none, or of another format)."""
    try:
        raw = json.loads((work_dir / RECORD).read_text(encoding="utf-8"))
        if raw["version"] != VERSION or not isinstance(raw["env"], str):
            return None
        files = {str(k): ((int(v[0]), int(v[1]), int(v[2])), str(v[3]))
                 for k, v in raw["files"].items()}
        return Inputs(raw["env"], files, int(raw["pages"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def forget(work_dir: Path) -> None:
    """Before a build changes the work folder or the site: no record may outlive them."""
    (work_dir / RECORD).unlink(missing_ok=True)


def save(work_dir: Path, inputs: Inputs) -> None:
    work_dir.mkdir(parents=True, exist_ok=True)
    tmp = work_dir / f"{RECORD}.tmp"
    tmp.write_text(inputs.dumps(), encoding="utf-8")
    os.replace(tmp, work_dir / RECORD)


def env_hash(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()
