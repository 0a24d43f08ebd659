"""Helpers for tests of the importer: what a data folder holds, byte for byte and as answers."""

from __future__ import annotations

import os
from pathlib import Path

from builder.store.records import load_store


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` (hidden ones too): its bytes and its mtime in ns."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), os.stat(p).st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def listing(folder: Path) -> list[str]:
    """Every file and folder under `folder`, so that a stray empty folder shows up too."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def answers(data: Path) -> dict[tuple[str, str], tuple[tuple[str, ...], tuple[int | None, ...]]]:
    """(question id, CA owner name as given) -> (values, option numbers), every survey."""
    store = load_store(data)
    return {(a.question_id, a.owner_name): (a.values, a.option_numbers)
            for s in store.surveys.values() for a in s.answers.values()}
