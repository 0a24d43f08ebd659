"""One home for what a new snapshot of records changes: each record 'added', 'changed' or
'withdrawn' against the records stored before. The merge of an export (answers), the CA
information report (field values) and the history rebuilt from git all classify so."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

V = TypeVar("V")


def snapshot_changes(current: Mapping[tuple[str, str], V], incoming: Mapping[tuple[str, str], V],
                     *, same: Callable[[V, V], bool], full_groups: Iterable[str] | None
                     ) -> list[tuple[str, tuple[str, str], V | None, V | None]]:
    """(kind, key, old, new) for a snapshot of records keyed (group, member). Pure.

    Every incoming record that is new is 'added', one that differs is 'changed'; an
    unchanged one is left out (the stored record keeps its first-seen time). When
    `full_groups` is given, the snapshot is complete for those groups: a member stored
    before but missing now is 'withdrawn'.
    """
    out: list[tuple[str, tuple[str, str], V | None, V | None]] = []
    for key, record in sorted(incoming.items()):
        old = current.get(key)
        if old is None or not same(old, record):
            out.append(("added" if old is None else "changed", key, old, record))
    if full_groups is not None:
        groups = set(full_groups)
        for key, old in sorted(current.items()):
            if key[0] in groups and key not in incoming:
                out.append(("withdrawn", key, old, None))
    return out
