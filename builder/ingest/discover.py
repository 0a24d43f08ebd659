"""`builder discover`: follow every CCADB CA Communication a page links to.

One public entry point, `discover`. It reads a page (a file or a URL; the real one is the
Mozilla wiki's CA/Communications page), finds every link in the page's content to a CCADB
CA Communication report on the CCADB's current or old host, and adds to data/sources.json
the summary report and the survey sample page of each communication not yet followed.

Nothing of a link but its CommunicationId is kept: the sources point at the CCADB hosts
this module names, never at a URL of the page's choosing. A survey title is kept only
when it reads exactly `<Month> <year> CA Communication[ and Survey]`; a communication
whose title cannot be found is reported and skipped (a placeholder title would make every
fetch of it fail, as the fetch checks the title the page carries).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from builder.core.errors import InputRejected, Issue
from builder.core.text import canonical_key
from builder.ingest.formats import Format
from builder.ingest.importer import read_source
from builder.ingest.sources import SOURCES_FILE, Source, read_sources
from builder.ingest.wikipage import BASE_URLS, FOLDER, Link, communication_id, read_page, short_id
from builder.store.durable import write_files
from builder.store.records import read_catalog, writes_store


@dataclass(frozen=True)
class Followed:
    """A report of each communication that the fetch follows."""

    kind: str
    format: Format
    report: str
    param: str
    partial: bool | None


FOLLOWED = (
    # The summary report holds every CA owner's answer to every question: a complete capture.
    Followed("summary", Format.SUMMARY_HTML, "CACommSummaryReport", "CommunicationId", False),
    Followed("survey-sample", Format.SURVEY_SAMPLE_HTML, "CACommunicationSurveySample",
             "CACommunicationId", None),
)


# -- the sources --------------------------------------------------------------------------

@dataclass(frozen=True)
class Discovery:
    """What one run found and did."""

    origin: str
    communications: tuple[str, ...]
    """The CommunicationIds the page links to, in page order."""
    added: tuple[dict[str, object], ...]
    warnings: tuple[Issue, ...]
    written: bool

    def lines(self) -> list[str]:
        added = [f"added {s['id']}: {s['survey']} ({s['format']})" for s in self.added]
        return added + [f"{self.origin}: {len(self.communications)} CA Communication(s) "
                        f"linked; {len(self.added)} source(s) added"
                        + ("" if self.written else f"; {SOURCES_FILE} unchanged")]


def _catalog_titles(data_dir: Path) -> dict[str, str]:
    """CommunicationId -> title, from data/catalog/communications.csv (real, hand-checked);
    raises InputRejected listing its problems."""
    issues: list[Issue] = []
    rows = read_catalog(data_dir / "catalog" / "communications.csv", issues)
    if issues:
        raise InputRejected(issues)
    return {cid: row["title"] for row in rows
            if (cid := short_id(row.get("communication_id") or "")) and row.get("title")}


def _source_entry(followed: Followed, cid: str, title: str, sid: str,
                  note: str) -> dict[str, object]:
    entry: dict[str, object] = {"id": sid, "survey": title, "format": followed.format.value}
    if followed.partial is not None:
        entry["partial"] = followed.partial
    entry.update(base_urls=list(BASE_URLS),
                 path=f"{FOLDER}/{followed.report}?{followed.param}={cid}", note=note)
    return entry


def _page_title(links: list[Link]) -> str | None | bool:
    """The title every link of one communication agrees on (None: none; False: several)."""
    found = {link.title() for link in links} - {None}
    return False if len(found) > 1 or False in found else (found.pop() if found else None)


Problem = tuple[str, str, str | None]
"""Why a communication is skipped: code, message, value."""


def _title(cid: str, links: list[Link], known: dict[str, str], catalog: dict[str, str],
           owner: dict[str, str]) -> str | Problem:
    """The survey title of a communication: the one sources.json already gives it, else the
    catalogue's, else the page's; a problem if none, several, or another one's."""
    title = known.get(cid) or catalog.get(cid) or _page_title(links)
    if title is None:
        return ("no-title", "no survey title ('<Month> <year> CA Communication') in the link "
                "text, its list item or table row, or its section heading", None)
    if title is False:
        return ("ambiguous-title", "the page names different survey titles around its links",
                None)
    other = owner.get(canonical_key(str(title)), cid)
    if other != cid:
        return ("title-taken", f"the title is that of {other} in {SOURCES_FILE}", str(title))
    return str(title)


def _plan(links: Iterable[Link], sources: list[Source], catalog: dict[str, str],
          origin: str, note: str) -> tuple[list[dict[str, object]], list[Issue]]:
    """The sources to add, and what was skipped (as warnings)."""
    followed = {(s.format, communication_id(s.urls[0], any_host=True)) for s in sources}
    known = {cid: s.survey for s in sources
             if (cid := communication_id(s.urls[0], any_host=True))}
    owner = {canonical_key(t): cid for cid, t in known.items()}
    ids = {s.id for s in sources}
    by_id: dict[str, list[Link]] = {}
    for link in links:
        by_id.setdefault(link.communication_id, []).append(link)
    added: list[dict[str, object]] = []
    warnings: list[Issue] = []
    for cid, its in by_id.items():
        missing = [f for f in FOLLOWED if (f.format, cid) not in followed]
        if not missing:
            continue
        title = _title(cid, its, known, catalog, owner)
        if isinstance(title, tuple):
            code, message, value = title
            warnings.append(Issue(origin, its[0].line, its[0].column, "href", code,
                                  f"CommunicationId {cid}: {message}; not added", value,
                                  warning=True))
            continue
        owner[canonical_key(title)] = cid
        month, year = title.split()[:2]
        for f in missing:
            sid = f"{month.lower()}-{year}-{f.kind}"
            sid = sid if sid not in ids else f"{sid}-{cid.lower()}"
            ids.add(sid)
            added.append(_source_entry(f, cid, title, sid, note))
    return added, warnings


def _note(source: str) -> str:
    """Where a source was found: a page's address without query or user, never a local path
    (which would be published with the data)."""
    if not source.startswith(("http://", "https://")):
        return "Found by builder discover in a saved copy of a page."
    parts = urlsplit(source)
    port = f":{parts.port}" if parts.port else ""
    return f"Found by builder discover on {parts.scheme}://{parts.hostname}{port}{parts.path}"


@writes_store  # sources.json is part of the store: one writer at a time
def discover(source: str, data_dir: Path) -> Discovery:
    """Add the sources of every new communication `source` links to; raises InputRejected
    (and writes nothing) for a page it cannot read."""
    sources_path = data_dir / SOURCES_FILE
    known = read_sources(sources_path)  # a broken sources.json stops before any request,
    titles = _catalog_titles(data_dir)  # and so does a broken catalog
    data, origin = read_source(source)
    links = read_page(data, origin)
    added, warnings = _plan(links, known, titles, origin, _note(source))
    written = False
    if added:
        raw = json.loads(sources_path.read_text(encoding="utf-8"))
        raw["sources"].extend(added)
        text = json.dumps(raw, ensure_ascii=False, indent=2) + "\n"
        written = bool(write_files(data_dir, {SOURCES_FILE: text}))
    cids = tuple(dict.fromkeys(link.communication_id for link in links))
    return Discovery(origin, cids, tuple(added), tuple(warnings), written)
