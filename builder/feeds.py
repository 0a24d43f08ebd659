"""Atom feeds of new, changed and withdrawn answers. Pure: returns the XML text."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

from builder.diff import answer_text
from builder.model import Change
from builder.text import clean_for_display

ATOM = "http://www.w3.org/2005/Atom"
FEED_LENGTH = 50
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
TAG_BASE = "tag:ca-communications-record,2017"


def _xml_text(value: str) -> str:
    # Control characters are dropped by clean_for_display; XML also forbids these.
    return _NOT_XML.sub("\ufffd", clean_for_display(value))


def entry_id(change: Change) -> str:
    """Stable across builds: derived from what the change is, not from when it was built."""
    raw = "\x00".join((change.survey_key, change.question_id, change.owner_key,
                       change.kind, change.observed_at))
    return f"{TAG_BASE}:change:{hashlib.sha256(raw.encode('utf-8', 'replace')).hexdigest()[:24]}"


def _summary(change: Change) -> str:
    verb = {"added": "answered for the first time", "changed": "changed its answer",
            "withdrawn": "no longer has an answer in the export"}[change.kind]
    text = f"{change.owner_name} {verb}: question {change.question_id}."
    if change.old is not None:
        text += f"\n\nBefore:\n{answer_text(change.old)}"
    if change.new is not None:
        text += f"\n\nNow:\n{answer_text(change.new)}"
    return text


def atom_feed(feed_id: str, title: str, self_href: str, page_href: str,
              changes: list[Change], titles: dict[str, str], link_for) -> str:  # type: ignore[no-untyped-def]
    """An Atom 1.0 document. Links are absolute when the caller knows the site's URL, else
    relative to the feed's own URL; ids are tag: URIs, absolute and independent of where
    the site is published, so moving it does not make every entry look new."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{TAG_BASE}:feed:{feed_id}"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _xml_text(title)
    newest = changes[0].observed_at if changes else "2017-11-16T00:00:00Z"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_href)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_href)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "CA Communications record (from the CCADB)"
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = (
        "Source: Common CA Database (CCADB), data licensed CDLA-Permissive-2.0")
    for change in changes[:FEED_LENGTH]:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = entry_id(change)
        verb = {"added": "answered", "changed": "changed its answer to",
                "withdrawn": "withdrew its answer to"}[change.kind]
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(
            f"{change.owner_name} {verb} {change.question_id} "
            f"({titles.get(change.survey_key, change.survey_key)})")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = change.observed_at
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=link_for(change))
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _xml_text(
            _summary(change))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="unicode") + "\n"
