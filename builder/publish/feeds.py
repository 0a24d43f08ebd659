"""Atom feeds of new, changed and withdrawn answers. Pure: returns the XML text."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from builder.core.model import Change
from builder.core.text import SURROGATES, clean_for_display
from builder.publish.diff import answer_text
from builder.publish.labels import FIRST_CAPTURED, capture

ATOM = "http://www.w3.org/2005/Atom"
FEED_LENGTH = 50
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


def _summary(change: Change, partial: str | None) -> str:
    # `updated` is the import time (Atom needs one); the text says what the date is.
    owner, question = change.owner_name, f"question {change.question_id}"
    what = {"added": f"{owner}’s answer to {question} {FIRST_CAPTURED}",
            "changed": f"{owner} changed its answer to {question}",
            "withdrawn": f"{owner} no longer has an answer to {question} in the export"}
    text = f"{what[change.kind]}; {capture(change.captured_at, change.observed_at)}."
    if partial:
        text += f"\n\nThe survey is a {partial}."
    if change.old is not None:
        text += f"\n\nBefore:\n{answer_text(change.old)}"
    if change.new is not None:
        text += f"\n\nNow:\n{answer_text(change.new)}"
    return text


def atom_feed(feed_id: str, title: str, self_href: str, page_href: str,
              changes: list[Change], titles: dict[str, str],
              link_for: Callable[[Change], str], partial: dict[str, str] | None = None) -> str:
    """An Atom 1.0 document. Links are absolute when the caller knows the site's URL, else
    relative to the feed's own URL; ids are tag: URIs, absolute and independent of where
    the site is published, so moving it does not make every entry look new.

    `partial`: survey key -> labels.partial_capture, for the surveys captured in part.
    """
    partial = partial or {}
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
        what = {"added": f"{change.owner_name}’s answer to {change.question_id} {FIRST_CAPTURED}",
                "changed": f"{change.owner_name} changed its answer to {change.question_id}",
                "withdrawn": f"{change.owner_name} no longer has an answer to "
                             f"{change.question_id} in the export"}[change.kind]
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(
            f"{what} ({titles.get(change.survey_key, change.survey_key)})")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = change.observed_at
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=link_for(change))
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _xml_text(
            _summary(change, partial.get(change.survey_key)))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="unicode") + "\n"
