"""Reading built HTML in tests: elements, attributes and URLs, with the standard parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class PageFacts:
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def text_content(self) -> str:
        return "".join(self.text)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.facts.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.facts.text.append(data)


def read_page(path: Path) -> PageFacts:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.facts


def text_of(path: Path) -> str:
    return read_page(path).text_content()


def main_text(path: Path) -> str:
    """Text of the page's article only (no navigation), whitespace folded."""
    html = path.read_text(encoding="utf-8")
    start = html.find("<article")
    end = html.find("</article>")
    reader = _Reader()
    reader.feed(html[start:end] if start != -1 else html)
    return " ".join(reader.facts.text_content().split())


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str
    """All the text inside it, whitespace folded."""


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":  # a line break separates words
            self.handle_data(" ")
        parts: list[str] = []
        self.found.append((tag, {k: v or "" for k, v in attrs}, parts))
        if tag not in _VOID:
            self._open.append((tag, parts))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


def elements(path: Path) -> list[Element]:
    """Every element of the page's article, in document order, with the text inside it."""
    html = path.read_text(encoding="utf-8")
    start, end = html.find("<article"), html.find("</article>")
    reader = _Elements()
    reader.feed(html[start:end] if start != -1 else html)
    return [Element(tag, attrs, " ".join("".join(parts).split()))
            for tag, attrs, parts in reader.found]
