"""`builder fetch`: download every source listed in data/sources.json and import it.

One public entry point, `fetch_all`. Each source is tried at its base URLs in order
(the CCADB moved hosts in 2023); the first answer that is the expected kind of
document is imported with the ordinary import pipeline (and its guard against an
export that lost answers, builder.ingest.guard). What can go wrong with one source is caught,
reported in its line and leaves data/ as it was; the others go on. Every request has
its deadline, and the run a budget: sources not reached when it is spent are failed.

    data/sources.json       what to follow (hand-written)
    data/fetch-state.json   ETag / Last-Modified of the last good answer per source
                            (written by this module, only when it changes)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import requests

from builder.core.errors import BuilderError, FetchError, InputRejected, Issue, terminal_safe
from builder.core.jsonshape import read_json
from builder.core.limits import FETCH_BUDGET, REQUEST_DEADLINE
from builder.core.model import Capture, Change
from builder.core.text import canonical_key
from builder.ingest import http
from builder.ingest.formats import Export, Format, LoadOptions, load_export
from builder.ingest.importer import import_bytes, now_utc
from builder.ingest.sources import SOURCES_FILE, Source, read_sources, select_sources
from builder.store.durable import write_files
from builder.store.records import writes_store

STATE_FILE = "fetch-state.json"
HTML_FORMATS = (Format.REPORT_HTML, Format.SUMMARY_HTML, Format.SURVEY_SAMPLE_HTML)


@dataclass(frozen=True)
class Settings:
    """Network limits; the defaults are the ones `builder fetch` uses."""

    timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT)
    max_bytes: int = http.MAX_BYTES
    attempts: int = http.MAX_ATTEMPTS
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    deadline: float = REQUEST_DEADLINE
    """Seconds one request may take, retries included."""
    budget: float = FETCH_BUDGET
    """Seconds the whole run may take; sources not reached by then are failed."""


@dataclass(frozen=True)
class SourceResult:
    """What happened to one source."""

    source: Source
    status: Literal["unchanged", "changed", "failed"]
    url: str | None = None
    """The URL that answered (after redirects)."""
    changes: tuple[Change, ...] = ()
    written: tuple[str, ...] = ()
    """Files of data/ rewritten by the import."""
    error: str | None = None
    validators: dict[str, str] | None = None
    """ETag / Last-Modified (and their URL) of the answer, for the next conditional GET."""
    not_modified: bool = False

    def line(self) -> str:
        if self.status == "failed":
            return terminal_safe(f"{self.source.id}: failed: {self.error}")
        if self.status == "unchanged":
            return f"{self.source.id}: unchanged" + (" (not modified)" if self.not_modified
                                                     else "")
        counts = {k: sum(c.kind == k for c in self.changes)
                  for k in ("added", "changed", "withdrawn")}
        return (f"{self.source.id}: {len(self.changes)} answer(s) changed ({counts['added']} "
                f"added, {counts['changed']} changed, {counts['withdrawn']} withdrawn); "
                f"{len(self.written)} file(s) written")


@dataclass(frozen=True)
class FetchReport:
    results: tuple[SourceResult, ...]
    state_written: bool = False

    def lines(self) -> list[str]:
        return [r.line() for r in self.results]

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "failed"]

    def check(self) -> None:
        """Raise (exit status 1) if any source failed."""
        if self.failed:
            raise FetchError(f"{len(self.failed)} of {len(self.results)} source(s) failed; "
                             "their last good data is kept as it was")


# -- data/fetch-state.json --------------------------------------------------------------

def read_state(path: Path) -> dict[str, dict[str, str]]:
    """data/fetch-state.json ({} when there is none); InputRejected if it is broken."""
    if not path.exists():
        return {}
    state, bad = read_json(path, " (delete the file to start over)")
    if bad:
        raise InputRejected([bad])
    if not isinstance(state, dict) or not all(isinstance(v, dict) for v in state.values()):
        raise InputRejected([Issue(str(path), None, None, "-", "wrong-type",
                                   "expected an object of objects (delete the file to "
                                   "start over)")])
    return state


def _next_state(state: dict[str, dict[str, str]], results: Iterable[SourceResult],
                known: set[str]) -> dict[str, dict[str, str]]:
    """Validators are kept when first seen and whenever the data changed, so a server
    whose ETag changes on every request costs a download, never a commit."""
    new = {k: v for k, v in state.items() if k in known}
    for r in results:
        old = new.get(r.source.id)
        if r.status == "failed" or r.not_modified:
            continue
        asked = (r.validators or {}).get("url")  # the URL asked for, before redirects
        if r.status == "changed" or old is None or old.get("url") != asked:
            if r.validators:
                new[r.source.id] = r.validators
            else:
                new.pop(r.source.id, None)
    return new


# -- one source ---------------------------------------------------------------------------

def _one_line(exc: BuilderError) -> str:
    if isinstance(exc, InputRejected) and exc.issues:
        more = len(exc.issues) - 1
        return str(exc.issues[0]) + (f" (and {more} more problem(s))" if more else "")
    return str(exc.format_message())


def _options(source: Source) -> LoadOptions:
    survey = source.survey if source.format is Format.REPORT_CSV else None
    return LoadOptions(source.format, survey, source.question_ids)


def _expected_export(source: Source, url: str, response: http.Response) -> Export:
    """Refuse what is not the expected kind of document; return the parsed export."""
    body, ctype = response.body, response.content_type.lower()
    if not body.strip():
        raise FetchError(f"{url}: empty body (HTTP {response.status})")
    if source.format in HTML_FORMATS:
        if ctype and "html" not in ctype:
            raise FetchError(f"{url}: expected an HTML page, got Content-Type {ctype!r}")
        if b"</html>" not in body.rstrip()[-2048:].lower():
            raise FetchError(f"{url}: the page does not end with </html>: truncated?")
    elif "html" in ctype or body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise FetchError(f"{url}: an HTML page where a {source.format.value} export was "
                         "expected (a login or error page?)")
    export = load_export(body, url, _options(source))  # login page, no rows, empty: refused
    want = canonical_key(source.survey)
    for rec in export.records:
        got = canonical_key(str(rec.survey or export.survey_title or ""))
        if got != want:
            raise FetchError(f"{url}: the export is for survey {got!r}, this source is for "
                             f"{source.survey!r}")
    return export


def _download(source: Source, entry: dict[str, str] | None, settings: Settings,
              session: requests.Session, budget: http.Deadline
              ) -> tuple[str, http.Response, Export | None]:
    """The first base URL whose answer is usable; FetchError naming why each failed."""
    problems = []
    hosts = {http.host_port(u) for u in source.urls}  # a redirect may lead to any of them
    for url in source.urls:
        mine = entry if entry and entry.get("url") == url else {}
        try:
            response = http.get(url, etag=mine.get("etag"),
                                last_modified=mine.get("last_modified"), session=session,
                                max_bytes=settings.max_bytes, timeout=settings.timeout,
                                backoff=settings.backoff, attempts=settings.attempts,
                                sleep=settings.sleep, deadline=settings.deadline,
                                budget=budget, allowed_hosts=hosts)
            if response.not_modified:
                return url, response, None
            return url, response, _expected_export(source, response.url, response)
        except BuilderError as exc:
            problems.append(_one_line(exc))
    raise FetchError("; ".join(problems))


def _validators(url: str, response: http.Response) -> dict[str, str] | None:
    found = {"etag": response.etag, "last_modified": response.last_modified}
    kept = {k: v for k, v in found.items() if v}
    return {"url": url, **kept} if kept else None


def _fetch_source(source: Source, entry: dict[str, str] | None, data_dir: Path,
                  settings: Settings, session: requests.Session, allow_shrink: bool,
                  observed_at: str, budget: http.Deadline, capture: Capture) -> SourceResult:
    if budget.left() <= 0:
        return SourceResult(source, "failed", error=f"not fetched: {budget.what} was spent")
    try:
        url, response, export = _download(source, entry, settings, session, budget)
        if export is None:
            return SourceResult(source, "unchanged", response.url, not_modified=True)
        result = import_bytes(response.body, response.url, data_dir, _options(source),
                              partial=source.partial, observed_at=observed_at,
                              capture=capture, allow_withdraw=allow_shrink)
    except BuilderError as exc:
        return SourceResult(source, "failed", error=_one_line(exc))
    except OSError as exc:  # data/ could not be read or written
        return SourceResult(source, "failed", error=f"{exc.filename or data_dir}: {exc.strerror}")
    return SourceResult(source, "changed" if result.written else "unchanged", response.url,
                        tuple(result.changes), tuple(result.written),
                        validators=_validators(url, response))


def rebase(url: str, base_url: str) -> str:
    """`url` fetched from `base_url` instead: its path and query under the base."""
    parts = urlsplit(url)
    return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def _rebased(sources: list[Source], base_url: str | None) -> list[Source]:
    if base_url is None:
        return sources
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment:
        raise BuilderError("--base-url must be an http(s) URL with a host and no query "
                           f"(got {base_url!r})")
    return [replace(s, urls=tuple(dict.fromkeys(rebase(u, base_url) for u in s.urls)))
            for s in sources]


@writes_store  # the whole run: its imports and fetch-state.json
def fetch_all(data_dir: Path, *, only: str | None = None, allow_shrink: bool = False,
              settings: Settings | None = None,
              progress: Callable[[str], None] | None = None,
              base_url: str | None = None) -> FetchReport:
    """Fetch and import every source (or those of one survey); never raises for a source.

    `progress` is told each source as its fetch starts (the CLI shows it on a terminal).

    `base_url` fetches every source from there (a mirror, a local stand-in) instead of
    its own hosts; what it returns is recorded as a copy, not a live capture.
    """
    sources_path = data_dir / SOURCES_FILE
    every = read_sources(sources_path)
    sources = _rebased(select_sources(every, only, sources_path), base_url)
    state = read_state(data_dir / STATE_FILE)
    settings = settings or Settings()
    budget = http.Deadline.after(settings.budget,
                                 f"the {settings.budget:g} s budget of the fetch run")
    observed_at = now_utc()
    capture = Capture(observed_at, live=True) if base_url is None else Capture()
    results = []
    with requests.Session() as session:
        for number, source in enumerate(sources, start=1):
            if progress:
                progress(f"fetching {number} of {len(sources)}: {source.id}")
            results.append(_fetch_source(source, state.get(source.id), data_dir, settings,
                                         session, allow_shrink, observed_at, budget, capture))
    new_state = _next_state(state, results, {s.id for s in every})
    written = []
    if new_state != state:
        text = json.dumps(new_state, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
        written = write_files(data_dir, {STATE_FILE: text})
    return FetchReport(tuple(results), bool(written))
