"""Write generated pages into docs/: only what changed, stale pages removed, never outside."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.core.errors import BuildFailed
from builder.store.durable import write_files

MANIFEST = ".generated-pages.json"
"""Lists the pages the builder wrote last time, so it can remove those that disappeared
without touching hand-written pages beside them."""


@dataclass(frozen=True)
class WriteReport:
    written: list[str]
    removed: list[str]


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if root.resolve() not in target.parents:
        raise BuildFailed(f"refusing to write {rel!r}: it is outside {root}")
    return target


def write_pages(pages: Mapping[str, str | bytes], docs_dir: Path) -> WriteReport:
    docs_dir.mkdir(parents=True, exist_ok=True)
    for rel in pages:
        _inside(docs_dir, rel)
    manifest_path = docs_dir / MANIFEST
    previous: list[str] = []
    if manifest_path.exists():
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = {**pages, MANIFEST: json.dumps(sorted(pages), indent=0) + "\n"}
    # Not fsynced: docs/ is rendered again from data/ by the next build.
    written = [w for w in write_files(docs_dir, files, durable=False) if w != MANIFEST]
    removed = []
    for rel in sorted(set(previous) - set(pages)):
        target = _inside(docs_dir, rel)
        if target.exists():
            target.unlink()
            removed.append(rel)
            parent = target.parent
            while parent != docs_dir.resolve() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return WriteReport(written, removed)
