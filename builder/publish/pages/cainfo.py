"""Pages of the CCADB CA information record: its index, a page per field, owner sections.

Every value is shown as a CCADB field value as published in a dated copy of the
report, never as a survey answer; dates are the copies' dates (when they were taken),
not import times. Pure: the contexts go to templates whose values are all encoded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from builder.core.cainfo_fields import BY_ID, FIELDS, TITLE
from builder.core.model import CaInformation, FieldChange, ReportCopy, Store
from builder.core.text import canonical_key
from builder.publish.encode import encode, encode_lines, link, safe_external_url
from builder.publish.history_view import LEGEND, diff_html
from builder.publish.owners import report_owner_names
from builder.publish.pages.template import Page
from builder.publish.paths import CA_INFORMATION, ca_field_page, owner_page, question_page
from builder.store.cainfo import copy_key

INDEX = CA_INFORMATION
RELATED = {
    "problem-reporting-mechanism": (
        ("April 2017 CA Communication", "Q00028", "ACTION 12"),
        ("November 2017 CA Communication", "local-2017-11-action-6", "ACTION 6")),
    "recognized-caa-domains": (("April 2017 CA Communication", "Q00023", "the CAA question"),),
}
"""Survey questions a field relates to by topic (an inference; the pages say why)."""


def copy_date(copy: ReportCopy) -> str:
    return (copy.captured_at or "unknown date")[:10]


def copy_name(copy: ReportCopy) -> str:
    """How a copy is named on the pages: by the day it was taken, never the import time."""
    if copy.captured_at is None:
        return "a copy of unknown date"
    return f"the live capture of {copy_date(copy)}" if copy.live else \
        f"the copy of {copy_date(copy)}"


def copy_links(copy: ReportCopy) -> Markup:
    """Links to the report the copy came from and to where the copy is preserved."""
    parts = []
    report = safe_external_url(copy.source)
    parts.append(link(report, "report", external=True) if report else encode(
        "file " + copy.source.replace("\\", "/").rsplit("/", 1)[-1]))
    archived = safe_external_url(copy.archived_copy)
    if archived:
        parts.append(link(archived, "archived copy", external=True))
    return Markup(" · ".join(str(p) for p in parts))


@dataclass(frozen=True)
class Span:
    """One version of a field: its value (None: not in the report) and the copies showing it."""

    value: str | None
    first: int
    last: int
    """Indexes into CaInformation.copies, inclusive."""


def value_cell(field_id: str, value: str | None) -> Markup:
    if value is None:
        return Markup('<span class="csr-none">(no longer in the report)</span>')
    if not value.strip():
        return Markup('<span class="csr-none">(empty in the report)</span>')
    if field_id == "company-website":
        url = safe_external_url(value.strip())
        return link(url, value.strip(), external=True) if url else encode(value)
    return encode_lines(value)


Row = dict[str, object]


@dataclass(frozen=True)
class CaInformationPage:
    """ca_information.md.j2: the record's copies, fields and CA owners."""

    copies: list[Row]
    fields: list[Row]
    owners: list[Row]
    moved: list[Row]


@dataclass(frozen=True)
class CaFieldPage:
    """ca_field.md.j2: one field's value for every CA owner, with its history."""

    column: str
    field_id: str
    rows: list[Row]
    gone: list[Row]
    index: str
    related: list[Row]
    latest: str | None


class CaPages:
    """What the record's pages share, computed once per build."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.record: CaInformation = store.ca_information
        copies = self.record.copies
        at = {copy_key(c): i for i, c in enumerate(copies)}
        self.changes: dict[tuple[str, str], list[tuple[int, FieldChange]]] = defaultdict(list)
        self.owner_events: dict[str, dict[int, str]] = defaultdict(dict)
        for change in self.record.history:
            index = at[copy_key(change)]  # builder validate checks that every change has one
            self.changes[(change.field, change.owner_key)].append((index, change))
            if change.kind in ("added", "removed"):
                self.owner_events[change.owner_key][index] = change.kind
        names = report_owner_names(self.record)
        self.names = dict(sorted(names.items(), key=lambda kv: (kv[1].casefold(), kv[0])))
        self.present = {v.owner_key for v in self.record.values.values()}

    def spans(self, field_id: str, owner_key: str) -> list[Span]:
        changes = self.changes.get((field_id, owner_key), [])
        last = len(self.record.copies) - 1
        out = []
        for k, (index, change) in enumerate(changes):
            end = changes[k + 1][0] - 1 if k + 1 < len(changes) else last
            out.append(Span(change.new, index, max(index, end)))
        return out

    def copies_text(self, span: Span) -> str:
        copies = self.record.copies
        first, last = copies[span.first], copies[span.last]
        if span.value is None:
            return f"not in the report since {copy_name(first)}"
        if span.first == span.last:
            return f"as published in {copy_name(first)}"
        return f"as published in the copies of {copy_date(first)} to {copy_date(last)}"

    def history(self, field_id: str, spans: list[Span]) -> Markup:
        """Every version with its copies and a word diff from the one before."""
        if len(spans) < 2:
            return Markup("")
        copies = self.record.copies
        items = []
        previous: str | None = None
        for number, span in enumerate(spans, start=1):
            head = (f"<strong>Version {number}</strong>, {encode(self.copies_text(span))} · "
                    f"{copy_links(copies[span.first])}")
            if span.value is None or previous is None:
                body = value_cell(field_id, span.value)
            else:
                body = diff_html(previous, span.value)
            if span.value is not None:
                previous = span.value
            items.append(f"<li>{head}<div>{body}</div></li>")
        dates = " → ".join(str(encode(copy_date(copies[s.first]))) for s in spans)
        # "changed" only when the value itself did; a value that merely stopped being
        # published (its owner left the report) says that instead.
        values = sum(1 for span in spans if span.value is not None)
        tag = "changed" if values > 1 or spans[-1].value is not None else \
            "no longer published"
        return Markup(
            f'<span class="csr-tag">{tag}</span> <details class="csr-history"><summary>'
            f"History: {len(spans)} versions ({dates})</summary><ol>{''.join(items)}</ol>"
            f"{LEGEND}</details>")

    def status(self, owner_key: str) -> list[str]:
        """When the CA owner came into the report and left it, copy by copy."""
        copies = self.record.copies
        events = self.owner_events.get(owner_key, {})
        if events == {0: "added"} and owner_key in self.present:
            return [f"In every copy of the report recorded here ({copy_date(copies[0])} to "
                    f"{copy_date(copies[-1])})."]
        out = []
        for index, kind in sorted(events.items()):
            here, before = copies[index], copies[index - 1] if index else None
            if kind == "removed":
                out.append(f"No longer in the CCADB report since {copy_name(here)}"
                           + (f" (last seen in {copy_name(before)})." if before else "."))
            elif before is None:
                out.append(f"In the earliest copy of the report recorded here, "
                           f"{copy_name(here)}.")
            else:
                again = "Back" if out else "First"
                out.append(f"{again} in the report in {copy_name(here)} (not in "
                           f"{copy_name(before)}).")
        return out

    def short_status(self, owner_key: str) -> str:
        copies = self.record.copies
        if owner_key in self.present and copies:
            return f"in {copy_name(copies[-1])}"
        events = self.owner_events.get(owner_key, {})
        if not events:
            return "–"
        return f"not since {copy_name(copies[max(events)])}"

    def owner_section(self, owner_key: str) -> dict[str, object] | None:
        """The CA owner page's section: its fields with their whole history."""
        if owner_key not in self.names:
            return None
        rows = []
        for f in FIELDS:
            spans = self.spans(f.id, owner_key)
            if not spans:
                continue
            shown = next((s for s in reversed(spans) if s.value is not None), spans[-1])
            rows.append({"field": f.column, "page": ca_field_page(f.id),
                         "value": value_cell(f.id, shown.value),
                         "copies": self.copies_text(shown),
                         "history": self.history(f.id, spans)})
        return {"index": INDEX, "name": self.names[owner_key], "status": self.status(owner_key),
                "rows": rows, "present": owner_key in self.present}

    def related(self, field_id: str) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for survey, qid, label in RELATED.get(field_id, ()):
            key = canonical_key(survey)
            data = self.store.surveys.get(key)
            known = data is not None and qid in data.questions
            out.append({"survey": survey, "id": qid, "label": label,
                        "page": question_page(key, qid) if known else None})
        return out

    def field_for_question(self, survey_key: str, question_id: str) -> dict[str, str] | None:
        """The field a survey question relates to (for a link back from its page)."""
        if not self.record.copies:
            return None
        for field_id, refs in RELATED.items():
            for survey, qid, _ in refs:
                if qid == question_id and canonical_key(survey) == survey_key:
                    return {"page": ca_field_page(field_id), "column": BY_ID[field_id].column}
        return None

    def field_pages(self) -> list[tuple[str, str]]:
        """(path, field id) of the field pages: none while the record is empty (the index
        page is always made: the navigation names it)."""
        if not self.record.copies and not self.names:
            return []
        return [(ca_field_page(f.id), f.id) for f in FIELDS]

    def report_only_owners(self, survey_owners: dict[str, str]) -> list[str]:
        """CA owners known only from this report: their pages hold only its section."""
        if not self.record.copies and not self.names:
            return []
        return [k for k in self.names if k not in survey_owners]

    def index(self) -> Page:
        copies = []
        for i, copy in enumerate(self.record.copies):
            came = sum(1 for e in self.owner_events.values() if e.get(i) == "added")
            went = sum(1 for e in self.owner_events.values() if e.get(i) == "removed")
            changed = sum(1 for lst in self.changes.values() for j, c in lst
                          if j == i and c.kind == "changed")
            copies.append({"date": copy_date(copy), "name": copy_name(copy),
                           "owners": copy.owners, "changed": changed, "came": came,
                           "went": went, "links": copy_links(copy), "first": i == 0})
        fields = [{"column": f.column, "page": ca_field_page(f.id),
                   "filled": sum(1 for (fid, _), v in self.record.values.items()
                                 if fid == f.id and v.value.strip()),
                   "changed": sum(1 for (fid, _), lst in self.changes.items() if fid == f.id
                                  for _, c in lst if c.kind == "changed")}
                  for f in FIELDS]
        owners = [{"name": n, "page": owner_page(k), "status": self.short_status(k),
                   "events": self.status(k),
                   "moved": set(self.owner_events.get(k, {}).items()) != {(0, "added")}}
                  for k, n in self.names.items()]
        return Page(INDEX, "ca_information.md.j2", TITLE, CaInformationPage(
            copies, fields, owners, [o for o in owners if o["moved"]]))

    def field(self, field_id: str) -> Page:
        f = BY_ID[field_id]
        rows: list[Row] = []
        gone: list[Row] = []
        for owner_key, name in self.names.items():
            spans = self.spans(field_id, owner_key)
            if not spans:
                continue
            history = self.history(field_id, spans)
            if spans[-1].value is None:
                last = next((s for s in reversed(spans) if s.value is not None), None)
                gone.append({"name": name, "page": owner_page(owner_key),
                             "value": value_cell(field_id, last.value if last else None),
                             "copies": self.copies_text(spans[-1]), "history": history})
            else:
                rows.append({"name": name, "page": owner_page(owner_key),
                             "value": value_cell(field_id, spans[-1].value),
                             "copies": self.copies_text(spans[-1]), "history": history})
        latest = copy_name(self.record.copies[-1]) if self.record.copies else None
        return Page(ca_field_page(field_id), "ca_field.md.j2", f"{TITLE}: {f.column}", CaFieldPage(
            f.column, field_id, rows, gone, INDEX, self.related(field_id), latest))
