"""Which generated files a change to the store touches: render only those.

The work folder keeps (`.render-state.json`) a digest of each answer's timeline (its
current record and its recorded changes) and one of everything else the pages are made
from (the surveys' metadata and questions, the CA owners' names, topics, catalog, CA
information, the templates, the site URL, the builder's code), with the list of files
the site had. After loading the new store, the digests say which answers changed; when
nothing else did and the site has the same files, only `pages_showing` of those answers
are made again, and every other file keeps its bytes in the work folder. Anything else
changed, or no state: everything is made (None).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.core.model import Answer, Change, Store
from builder.publish.pages.showing import pages_showing
from builder.publish.pages.site import SiteIndex

STATE = ".render-state.json"
VERSION = 1
Key = tuple[str, str, str]
"""(survey key, question id, owner key) of one answer."""


def _fields(value: object) -> list[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    raise TypeError(f"not part of the store: {type(value).__name__}")


def _digest(value: object) -> str:
    text = json.dumps(value, default=_fields, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class RenderState:
    env: str
    """Everything but the answers: any change to it makes the whole site again."""
    answers: Mapping[str, str]
    """'survey\\0question\\0owner' -> digest of that answer's timeline."""
    paths: str
    """A digest of the sorted list of the site's generated files."""

    def dumps(self) -> str:
        return json.dumps({"version": VERSION, "env": self.env, "paths": self.paths,
                           "answers": self.answers}, sort_keys=True) + "\n"


def answer_digests(store: Store) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, data in store.surveys.items():
        changes: dict[tuple[str, str], list[Change]] = defaultdict(list)
        for change in data.history:
            changes[(change.question_id, change.owner_key)].append(change)
        answers: dict[tuple[str, str], Answer | None] = dict(data.answers)
        for pair in changes.keys() - answers.keys():
            answers[pair] = None
        for (qid, owner), answer in answers.items():
            out[f"{key}\0{qid}\0{owner}"] = _digest([answer, changes.get((qid, owner), [])])
    return out


def other_digest(site: SiteIndex, extra: str) -> str:
    """Everything the pages read but the answers' timelines (`extra`: the templates, the
    site URL and the builder's code, hashed by the caller)."""
    store = site.store
    ca = store.ca_information
    return _digest([extra, store.demo, store.catalog, store.question_catalog, store.topics,
                    site.owner_names,
                    [[d.survey, d.sorted_questions()] for d in store.sorted_surveys()],
                    sorted(ca.values.items()), ca.history, ca.copies])


def state_of(site: SiteIndex, extra: str, paths: Collection[str]) -> RenderState:
    return RenderState(other_digest(site, extra), answer_digests(site.store),
                       _digest(sorted(paths)))


def to_render(site: SiteIndex, previous: RenderState | None,
              now: RenderState) -> set[str] | None:
    """The files to make again: those showing a changed answer; None: all of them."""
    if previous is None or previous.env != now.env or previous.paths != now.paths:
        return None
    out: set[str] = set()
    for key in previous.answers.keys() | now.answers.keys():
        if previous.answers.get(key) == now.answers.get(key):
            continue
        survey, qid, owner = key.split("\0")
        data = site.store.surveys.get(survey)
        if data is None or qid not in data.questions or owner not in site.owner_names:
            return None  # gone from the site: its lists change
        out |= pages_showing(site, survey, qid, owner)
    return out


def load(work_dir: Path) -> RenderState | None:
    try:
        raw = json.loads((work_dir / STATE).read_text(encoding="utf-8"))
        if raw["version"] != VERSION:
            return None
        answers = raw["answers"]
        if not isinstance(answers, dict) or not all(
                isinstance(v, str) for v in answers.values()):
            return None
        return RenderState(str(raw["env"]), answers, str(raw["paths"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def forget(work_dir: Path) -> None:
    """Before the work folder is written: a state must never describe files it does not."""
    (work_dir / STATE).unlink(missing_ok=True)


def save(work_dir: Path, state: RenderState) -> None:
    tmp = work_dir / f"{STATE}.tmp"
    tmp.write_text(state.dumps(), encoding="utf-8")
    os.replace(tmp, work_dir / STATE)
