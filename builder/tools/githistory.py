"""`builder history --from-git`: rebuild every answer's history from the git history of data/.

A repository that kept snapshots of data/ (one commit per fetch, say) gets its timeline:
consecutive snapshots of each survey's answers.jsonl are compared, and each difference
becomes a Change observed at the commit's time.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from builder.core.clock import utc_text
from builder.core.errors import BuilderError, InternalError, Issue
from builder.core.model import Answer, Change
from builder.core.snapshot import snapshot_changes
from builder.store.jsonl import to_record
from builder.store.records import load_store, save_store, writes_store

Snapshot = dict[str, dict[tuple[str, str], Answer]]


@dataclass(frozen=True)
class GitHistoryReport:
    commits: int
    changes: int
    surveys: int

    def __str__(self) -> str:
        return (f"history rebuilt from {self.commits} commit(s): {self.changes} change(s) "
                f"in {self.surveys} survey(s)")


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              encoding="utf-8", check=True)
    except FileNotFoundError as exc:
        raise BuilderError("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        raise BuilderError(f"git {' '.join(args[:2])} failed: {exc.stderr.strip()}") from exc
    return done.stdout


def _utc(iso: str) -> str:
    return utc_text(datetime.fromisoformat(iso.strip()))


def _snapshot(root: Path, sha: str, prefix: str) -> Snapshot:
    snap: Snapshot = {}
    names = _git(root, "ls-tree", "-r", "--name-only", sha, "--", f"{prefix}surveys")
    for name in names.splitlines():
        if not name.endswith("/answers.jsonl"):
            continue
        issues: list[Issue] = []
        lines = _git(root, "show", f"{sha}:{name}").split("\n")  # not splitlines: see store
        for number, line in enumerate(lines, 1):
            if line.strip():
                answer = to_record(Answer, json.loads(line), f"{sha[:8]}:{name}", number,
                                    issues)
                if answer is not None:
                    snap.setdefault(answer.survey_key, {})[
                        (answer.question_id, answer.owner_key)] = answer
        if issues:
            raise BuilderError(f"{issues[0]}")
    return snap


def _diff(old: dict[tuple[str, str], Answer], new: dict[tuple[str, str], Answer],
          when: str) -> list[Change]:
    changes = []
    found = snapshot_changes(old, new, same=lambda a, b: a.values == b.values,
                             full_groups={qid for qid, _ in old})
    for kind, _, a, b in sorted(found, key=lambda change: change[1]):  # in answer order
        ref = b or a
        if ref is None:
            raise InternalError("a change without an old or a new answer")
        changes.append(Change(ref.survey_key, ref.question_id, ref.owner_key, ref.owner_name,
                              kind, a.values if a else None, b.values if b else None, when,
                              ref.source))
    return changes


@writes_store
def history_from_git(data_dir: Path) -> GitHistoryReport:
    """Replace each survey's history.jsonl by the one the git history of data/ implies."""
    store = load_store(data_dir)
    root = Path(_git(data_dir, "rev-parse", "--show-toplevel").strip())
    prefix = _git(data_dir, "rev-parse", "--show-prefix").strip()
    if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
        # Its log starts at the cut: every version recorded before it would be lost.
        raise BuilderError(f"{root} is a shallow clone (git clone --depth): its history is "
                           "cut short, and rebuilding from it would drop every earlier "
                           "version; fetch the whole history first (git fetch --unshallow)")
    log = _git(root, "log", "--reverse", "--format=%H %cI", "--", f"{prefix}surveys")
    commits = [line.split(" ", 1) for line in log.splitlines() if line.strip()]
    history: dict[str, list[Change]] = {key: [] for key in store.surveys}
    previous: Snapshot = {}
    for sha, when in commits:
        snap = _snapshot(root, sha, prefix)
        for survey_key in sorted(set(previous) | set(snap)):
            found = _diff(previous.get(survey_key, {}), snap.get(survey_key, {}), _utc(when))
            if survey_key in history:
                history[survey_key].extend(found)
        previous = snap
    for key, changes in history.items():
        store.surveys[key].history = changes
    save_store(store, data_dir)
    return GitHistoryReport(len(commits), sum(len(c) for c in history.values()),
                            sum(1 for c in history.values() if c))
