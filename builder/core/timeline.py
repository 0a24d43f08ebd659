"""Versions of each answer, rebuilt from the store's append-only history. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from builder.core.model import Change, SurveyData


@dataclass(frozen=True)
class Version:
    """One version of an answer: what it said, when it was first seen and where."""

    values: tuple[str, ...] | None
    """None when the answer disappeared from the export (withdrawn)."""
    observed_at: str
    """When it was imported."""
    source: str
    kind: str
    captured_at: str | None = None
    """When the copy that showed it was captured; None when unknown."""
    live: bool = False


def timelines(data: SurveyData) -> dict[tuple[str, str], list[Version]]:
    """(question_id, owner_key) -> versions, oldest first, for one survey."""
    out: dict[tuple[str, str], list[Version]] = defaultdict(list)
    for change in data.history:
        out[(change.question_id, change.owner_key)].append(
            Version(change.new, change.observed_at, change.source, change.kind,
                    change.captured_at, change.live))
    return dict(out)


def is_edited(versions: list[Version]) -> bool:
    return sum(1 for v in versions if v.values is not None) > 1 or any(
        v.kind == "withdrawn" for v in versions)


def is_late(versions: list[Version], deadline: str | None) -> bool:
    """First captured, live from the CCADB, after the survey's deadline.

    Only a live capture's date is known to be when the answer was there to be seen; an
    archived copy, or an import, says nothing about when the CA answered.
    """
    if not versions or not deadline or len(deadline) < 10:
        return False
    first = versions[0]
    return first.live and first.captured_at is not None and \
        first.captured_at[:10] > deadline[:10]


def newest_first(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (c.observed_at, c.survey_key, c.question_id,
                                          c.owner_key), reverse=True)
