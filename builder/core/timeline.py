"""Versions of each answer, rebuilt from the store's append-only history. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
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


Pair = tuple[str, str]
"""(question id, owner key): one answer."""


class Lines(Mapping[Pair, list[Version]]):
    """(question_id, owner_key) -> versions, oldest first, for one survey: the changes
    grouped by answer, each answer's versions made when first asked for (a build shows
    the versions of few answers of an unchanged survey, and needs only how many the
    others have: `changes`)."""

    def __init__(self, history: list[Change]) -> None:
        grouped: dict[Pair, list[Change]] = defaultdict(list)
        for change in history:
            grouped[(change.question_id, change.owner_key)].append(change)
        self.changes: dict[Pair, list[Change]] = dict(grouped)
        """The same keys, in the same order: each answer's changes, oldest first."""
        self._made: dict[Pair, list[Version]] = {}

    def __getitem__(self, pair: Pair) -> list[Version]:
        made = self._made.get(pair)
        if made is None:
            made = self._made[pair] = [
                Version(c.new, c.observed_at, c.source, c.kind, c.captured_at, c.live)
                for c in self.changes[pair]]
        return made

    def __contains__(self, pair: object) -> bool:
        return pair in self.changes  # without making its versions

    def __iter__(self) -> Iterator[Pair]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


def timelines(data: SurveyData) -> Lines:
    """(question_id, owner_key) -> versions, oldest first, for one survey."""
    return Lines(data.history)


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


def _order(c: Change) -> tuple[str, str, str, str]:
    return (c.observed_at, c.survey_key, c.question_id, c.owner_key)


def newest_first(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=_order, reverse=True)

