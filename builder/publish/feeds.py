"""Atom feeds of new, changed and withdrawn answers. Pure: returns the XML text."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from builder.core.model import Change
from builder.core.text import SURROGATES, clean_for_display
from builder.publish.change_view import Entry, QuestionOf, entry_text
from builder.publish.diff import answer_text
from builder.publish.labels import capture
from builder.publish.words import plural, question_label

ATOM = "http://www.w3.org/2005/Atom"
FEED_LENGTH = 50
FEED_CHANGES = 20
"""The answers an entry's summary gives before and after; the rest are on the site."""
_NOT_XML = re.compile(f"[\ufffe\uffff{SURROGATES}]")
TAG_BASE = "tag:ca-communications-record,2017"


def _xml_text(value: str) -> str:
    # Control characters are dropped by clean_for_display; XML also forbids these.
    return _NOT_XML.sub("\ufffd", clean_for_display(value))


def entry_id(change: Change) -> str:
    """Stable across builds: derived from what the change is, not from when it was built."""
    raw = "\x00".join((change.survey_key, change.question_id, change.owner_key,
                       change.kind, change.observed_at))
    return f"{TAG_BASE}:change:{hashlib.sha256(raw.encode('utf-8', 'replace')).hexdigest()[:24]}"


def group_id(entry: Entry) -> str:
    """An entry's id: its change's (entry_id) when it holds one, so feeds made before
    changes were grouped keep their ids; else one made from its changes' ids."""
    ids = sorted(entry_id(c) for c in entry.changes)
    if len(ids) == 1:
        return ids[0]
    raw = "\x00".join(ids).encode("ascii")
    return f"{TAG_BASE}:changes:{hashlib.sha256(raw).hexdigest()[:24]}"


def _summary(entry: Entry, question_of: QuestionOf, names: dict[str, str],
             partial: str | None) -> str:
    # `updated` is the import time (Atom needs one); the text says what the date is.
    text = f"{capture(entry.captured_at, entry.date)}."
    if partial:
        text += f"\n\nThe survey is a {partial}."
    for change in entry.changes[:FEED_CHANGES]:
        question = question_of(change.survey_key, change.question_id)
        label = question_label(question, 60) if question else "A question no longer here"
        text += f"\n\n{names.get(change.owner_key, change.owner_name)}, {label}"
        if change.old is not None:
            text += f"\nBefore:\n{answer_text(change.old)}"
        if change.new is not None:
            text += f"\nNow:\n{answer_text(change.new)}"
    if len(entry.changes) > FEED_CHANGES:
        text += f"\n\n… and {plural(len(entry.changes) - FEED_CHANGES, 'more answer')}."
    return text


def atom_feed(feed_id: str, title: str, self_href: str, page_href: str,
              entries: list[Entry], question_of: QuestionOf, names: dict[str, str],
              link_for: Callable[[Entry], str], partial: dict[str, str] | None = None) -> str:
    """An Atom 1.0 document of the newest FEED_LENGTH entries (change_view). Links are
    absolute when the caller knows the site's URL, else relative to the feed's own URL;
    ids are tag: URIs, absolute and independent of where the site is published, so moving
    it does not make every entry look new.

    `partial`: survey key -> labels.partial_capture, for the surveys captured in part.
    """
    partial = partial or {}
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{TAG_BASE}:feed:{feed_id}"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _xml_text(title)
    newest = entries[0].date if entries else "2017-11-16T00:00:00Z"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_href)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_href)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "CA Communications record (from the CCADB)"
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = (
        "Source: Common CA Database (CCADB), data licensed CDLA-Permissive-2.0")
    for group in entries[:FEED_LENGTH]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = group_id(group)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(
            entry_text(group, question_of, names))
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = group.date
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=link_for(group))
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _xml_text(
            _summary(group, question_of, names, partial.get(group.survey_key)))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="unicode") + "\n"
