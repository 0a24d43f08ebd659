"""The display name of each CA owner: one rule for every page, feed and download."""

from __future__ import annotations

from builder.core.model import Store
from builder.publish.paths import surveys_newest_first


def owner_names(store: Store) -> dict[str, str]:
    """Name per CA owner key, sorted by key: the spelling of its latest captured answer;
    for an owner known only from the history (every answer withdrawn), the spelling of its
    latest recorded change. On a tie the newer survey wins, then the later change."""
    best: dict[str, tuple[tuple[int, str], str]] = {}

    def offer(key: str, rank: tuple[int, str], name: str) -> None:
        if key not in best or rank > best[key][0]:
            best[key] = (rank, name)

    for data in surveys_newest_first(store):
        for answer in data.answers.values():
            offer(answer.owner_key, (1, answer.observed_at), answer.owner_name)
        for change in reversed(data.history):
            offer(change.owner_key, (0, change.observed_at), change.owner_name)
    return dict(sorted((key, name) for key, (_, name) in best.items()))
