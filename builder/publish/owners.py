"""The display name of each CA owner: one rule for every page, feed and download."""

from __future__ import annotations

from builder.core.model import CaInformation, Store
from builder.publish.paths import surveys_newest_first


def owner_names(store: Store) -> dict[str, str]:
    """Name per CA owner key, sorted by key: the spelling of its latest captured answer;
    for an owner known only from the history (every answer withdrawn), the spelling of its
    latest recorded change. On a tie the newer survey wins, then the later change."""
    answered: dict[str, tuple[str, str]] = {}  # key -> (observed_at, name)
    recorded: dict[str, tuple[str, str]] = {}
    # The first seen wins a tie: newer surveys first, then (in the history) later changes.
    # (Loops written out: they run over every answer and change of the store each build.)
    for data in surveys_newest_first(store):
        for answer in data.answers.values():
            best = answered.get(key := answer.owner_key)
            if best is None or answer.observed_at > best[0]:
                answered[key] = (answer.observed_at, answer.owner_name)
        for change in reversed(data.history):
            key = change.owner_key
            if key not in answered and ((best := recorded.get(key)) is None
                                        or change.observed_at > best[0]):
                recorded[key] = (change.observed_at, change.owner_name)
    names = {key: name for key, (_, name) in recorded.items() if key not in answered}
    names.update((key, name) for key, (_, name) in answered.items())
    return dict(sorted(names.items()))


def report_owner_names(record: CaInformation) -> dict[str, str]:
    """Name per CA owner of the CCADB CA information report (unsorted): the spelling of
    its current values, else of its latest recorded change (the pages of that record and
    the owners' pages of those known only from it use these)."""
    names: dict[str, str] = {}
    for change in record.history:
        names[change.owner_key] = change.owner_name
    for value in record.values.values():
        names[value.owner_key] = value.owner_name
    return names
