"""The guard against an import that loses answers: one rule for `import` and `fetch`.

A broken page (cut short, an error page with a few rows, every cell blank) looks like
CA owners withdrawing their answers. An import that would lose answers is refused,
unless the user says it is real (`--allow-withdraw`; `--allow-shrink` for fetch), when:

- it withdraws or blanks more than MAX_LOST_AT_ONCE answers to one question at once (a
  CA owner leaving costs one answer per question; with `--partial` nothing is withdrawn,
  so this is mostly the full import whose `--partial` was forgotten);
- a question it carries would keep under MIN_SHARE of the largest number of answers the
  question had in its recent states (at least MIN_LOST answers fewer), or the survey
  would keep answers of under MIN_SHARE of the CA owners it recently had.

"Recent" is the state after each of the last RECENT_IMPORTS recorded imports and every
state current in the last RECENT_DAYS days, rebuilt from the survey's history, so that
ten small steps cannot walk the count down. A blank answer counts as lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from builder.core.errors import Issue
from builder.core.model import Change, SurveyData, is_blank

MIN_SHARE = 0.5
MIN_LOST = 3
MAX_LOST_AT_ONCE = 3
RECENT_IMPORTS = 10
RECENT_DAYS = 90
OVERRIDE = "--allow-withdraw"


@dataclass
class _State:
    """Which answers of one survey are there and not blank, with running counts."""

    filled: dict[tuple[str, str], bool]
    per_question: Counter[str]
    per_owner: Counter[str]

    @classmethod
    def of(cls, data: SurveyData) -> _State:
        state = cls({}, Counter(), Counter())
        for key, answer in data.answers.items():
            state.set(key, answer.values)
        return state

    def set(self, key: tuple[str, str], values: tuple[str, ...] | None) -> None:
        if self.filled.pop(key, False):
            self.per_question[key[0]] -= 1
            self.per_owner[key[1]] -= 1
        if values is not None:
            filled = self.filled[key] = not is_blank(values)
            self.per_question[key[0]] += filled
            self.per_owner[key[1]] += filled

    def undo(self, changes: Iterable[Change]) -> None:
        for change in reversed(list(changes)):
            self.set((change.question_id, change.owner_key), change.old)

    def owners(self) -> int:
        return sum(1 for n in self.per_owner.values() if n > 0)


@dataclass(frozen=True)
class _Peak:
    per_question: Counter[str]
    owners: int


def _when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None


def _recent_peak(data: SurveyData, new: int, now: str) -> _Peak:
    """The largest counts of the states before the last `new` changes, going back
    RECENT_IMPORTS imports and (at least) RECENT_DAYS days."""
    state, history = _State.of(data), data.history
    end = len(history) - new
    state.undo(history[end:])
    peak, owners, seen = Counter(state.per_question), state.owners(), 1
    start_of_window = _when(now)
    cutoff = start_of_window - timedelta(days=RECENT_DAYS) if start_of_window else None
    while end > 0:
        at, start = history[end - 1].observed_at, end - 1
        while start > 0 and history[start - 1].observed_at == at:
            start -= 1
        when = _when(at)
        # The state before this import was current until `at`.
        if seen >= RECENT_IMPORTS and (cutoff is None or (when is not None and when < cutoff)):
            break
        state.undo(history[start:end])
        peak |= state.per_question  # element-wise maximum
        owners, seen, end = max(owners, state.owners()), seen + 1, start
    return _Peak(peak, owners)


def check_losses(data: SurveyData, changes: list[Change], questions: Iterable[str],
                 origin: str, now: str) -> list[Issue]:
    """The problems of an import that made `changes` (the last ones of `data.history`,
    already merged into `data`) to `questions` of one survey; empty when it may go on."""
    title = data.survey.title
    lost: dict[str, list[Change]] = {}
    for c in changes:
        if c.old is not None and not is_blank(c.old) and (c.new is None or is_blank(c.new)):
            lost.setdefault(c.question_id, []).append(c)
    if not lost:
        return []
    peak, state = _recent_peak(data, len(changes), now), _State.of(data)
    issues = []
    for qid in sorted(set(questions) | lost.keys()):
        gone = lost.get(qid, [])
        if len(gone) > MAX_LOST_AT_ONCE:
            blanked = sum(c.new is not None for c in gone)
            issues.append(Issue(origin, None, None, qid, "withdraws-answers", (
                f"this import would withdraw {len(gone)} answer(s) to question {qid} of "
                f"survey {title!r} at once ({len(gone) - blanked} missing from the export, "
                f"{blanked} blanked; more than {MAX_LOST_AT_ONCE}): if the export is "
                f"incomplete, import it as partial (--partial); if they are really gone, "
                f"pass {OVERRIDE}")))
        had, has = peak.per_question[qid], state.per_question[qid]
        if had - has >= MIN_LOST and has < MIN_SHARE * had:
            issues.append(Issue(origin, None, None, qid, "answers-lost", (
                f"question {qid} of survey {title!r} would keep {has} answer(s) where it "
                f"recently had {had} (under {MIN_SHARE:.0%}): refused as a likely broken "
                f"export; pass {OVERRIDE} if it is real")))
    had, has = peak.owners, state.owners()
    if had - has >= MIN_LOST and has < MIN_SHARE * had:
        issues.append(Issue(origin, None, None, "survey", "owners-lost", (
            f"survey {title!r} would keep answers of {has} CA owner(s) where it recently "
            f"had {had} (under {MIN_SHARE:.0%}): refused as a likely broken export; "
            f"pass {OVERRIDE} if it is real")))
    return issues
