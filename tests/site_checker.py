"""Find markup in a built site that did not come from the theme or the builder's templates.

Untrusted text (CA owner names, question texts, answers, survey titles) must reach the
public pages as text only. This checker reads every HTML file of a built site and
compares what it finds with a *baseline*: the same scan of one or more sites built
from benign data. Whatever the theme and the builder's own templates write (the
theme's scripts and forms, its SVG icons, the builder's charts and links) is in the
baseline; markup that only the hostile site has came from data, and is a finding.

Use it from any test::

    baseline = Baseline.from_sites(benign_project.site)
    assert_clean(hostile_project.site, baseline)   # or: findings = check_site(...)

    before = snapshot_tree(tmp_root)
    ...  # a build or an import
    findings = writes_outside(before, snapshot_tree(tmp_root), allowed=["project/site", ...])

What is compared, per page kind (home, survey, question, owner, changes ...) and per
region of the page (``head``, the ``article`` that holds the page text, the rest of
the ``body``):

- risky elements: script (with a fingerprint of inline code), iframe, frame, object,
  embed, applet, base, form, meta, link, style, template, portal, and the SVG/MathML
  elements that can run script or load resources; key attributes are part of the
  signature;
- every event-handler attribute (``on*``) and every ``style`` attribute, with its value;
- every URL attribute whose scheme is ``javascript:``, ``data:`` or ``vbscript:``
  (after removing the whitespace and control characters browsers ignore);
- inside the article, the shape of every element (tag, attribute names, class and
  rel), so that *any* element formed from data (an ``<img>``, a ``<b>``, a ``<code>``)
  is found even when it is harmless in itself; and every absolute link there that is
  neither in the baseline nor marked ``rel="nofollow ugc noopener"``. (A relative link
  formed from data has the shape of the builder's own links; the tests that every
  payload is visible as text catch it, since its brackets would be gone.)
- comments, declarations and processing instructions;
- feeds (``*.xml``) and data files (``*.json``, the search index's among them) must
  parse. (The search index holds the data's text as it is: docs/assets/search.js puts
  it into the page as text nodes, which tests/publish/test_search.py checks in Chromium.)
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

RISKY_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
    "meta", "link", "style", "template", "portal", "noembed", "noframes", "xmp", "plaintext",
    "listing", "param", "isindex", "input", "button", "textarea", "select", "option",
    "svg", "math", "animate", "animatemotion", "animatetransform", "set", "use", "image",
    "feimage", "foreignobject", "handler", "listener", "maction", "annotation-xml",
})
"""Elements worth a signature wherever they are (the theme writes some of them)."""

KEY_ATTRIBUTES = frozenset({
    "type", "rel", "name", "charset", "http-equiv", "class", "role", "xmlns", "method",
    "data-md-component", "data-md-toggle", "attributename", "as", "sandbox", "target",
    "language", "nomodule", "async", "defer", "integrity", "crossorigin",
})
"""Attributes whose value is part of an element's signature; other values are '*'."""

URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "codebase", "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "ping",
    "srcset", "imagesrcset", "archive", "classid", "profile", "usemap", "values", "to",
    "from", "by", "content",
})
"""Attributes a browser may read as a URL (meta content: refresh; SVG animation values)."""

DANGEROUS_SCHEME = re.compile(r"(javascript|data|vbscript|livescript|mocha):", re.IGNORECASE)
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                             r"\ufeff]")
REL_EXTERNAL = "nofollow ugc noopener"
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "option", "select",
})
"""Tags after which a reader sees a break: text on either side is not joined."""

Signature = tuple[str, ...]

ALWAYS_ALLOWED: frozenset[Signature] = frozenset({("article", "markup", "br", "", "", "")})
"""A bare <br> is how the builder writes a newline of any value, on any page; one formed
from data would show up as missing text in the visibility tests instead."""


@dataclass(frozen=True)
class Finding:
    """One thing in the built site (or around it) that did not come from the builder."""

    where: str
    """Site-relative file, or the path written outside the output folders."""
    kind: str
    """element, handler, style-attribute, dangerous-url, markup, external-link, comment,
    unparsable, outside-write."""
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.detail}"


def format_findings(findings: Iterable[Finding], limit: int = 40) -> str:
    findings = list(findings)
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return f"{len(findings)} finding(s):\n" + "\n".join(lines)


# -- reading one page -------------------------------------------------------------------

def _normalise_path(value: str) -> str:
    """A theme URL the same on every page: relative prefixes gone ('../../x' -> 'x')."""
    value = re.sub(r"^(?:\.\./|\./|/)+", "", value.strip())
    # Page names the builder makes (readable slug + hash of the key) vary with the data.
    value = re.sub(r"(?<![^/])[a-z0-9-]+-[0-9a-f]{8}(?=[./]|$)", "<name>", value)
    return "." if value in ("", "..", ".") else value


def _fingerprint(code: str) -> str:
    """Inline code, with the page's depth ('../..', '.') taken out, hashed."""
    code = re.sub(r'"(?:\.\.(?:/\.\.)*|\.)"', '"~"', code)
    code = re.sub(r"(?:\.\./)+", "", code)
    return hashlib.sha256(" ".join(code.split()).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _value_for_signature(tag: str, name: str, value: str) -> str:
    if name in ("src", "href") and tag in ("script", "link", "iframe", "embed", "frame"):
        return _normalise_path(value) if "://" not in value else value
    if name == "content" and tag == "meta":
        return value
    if name in KEY_ATTRIBUTES:
        return value
    return "*"


def dangerous_url(value: str, attribute: str = "href") -> str | None:
    """The scheme if a browser could run or render this value as javascript:/data:/vbscript:.

    The scheme counts where a browser reads one: at the start of the value (once the
    whitespace and control characters it ignores are removed), after `url=` in a meta
    refresh, at the start of each item of an SVG `values` list or a `srcset`.
    """
    cleaned = IGNORED_IN_URLS.sub("", value)
    if attribute == "content":
        candidates = re.findall(r"url=['\"]?(.*)", cleaned, re.IGNORECASE)
    elif attribute == "values":
        candidates = cleaned.split(";")
    elif attribute.endswith("srcset"):
        candidates = cleaned.split(",")
    else:
        candidates = [cleaned]
    for candidate in candidates:
        match = DANGEROUS_SCHEME.match(candidate)
        if match:
            return match.group(1).lower()
    return None


@dataclass
class PageScan:
    """Signatures of one HTML file, and the text a reader sees in its article."""

    signatures: set[Signature] = field(default_factory=set)
    external_links: set[str] = field(default_factory=set)
    """Absolute hrefs of <a> in the article that lack rel='nofollow ugc noopener'."""
    article_text: str = ""


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._region = ["body"]
        self._article_depth = 0
        self._in_head = False
        self._cdata_tag: str | None = None
        self._cdata: list[str] = []
        self._text: list[str] = []
        self._skip_text = 0

    @property
    def region(self) -> str:
        if self._in_head:
            return "head"
        return "article" if self._article_depth else "body"

    def _sig(self, *parts: str) -> None:
        self.scan.signatures.add((self.region, *parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        elif tag == "article":
            self._article_depth += 1
        if tag in ("script", "style"):
            self._cdata_tag, self._cdata = tag, []
            self._skip_text += 1
        if tag in BLOCK_TAGS:
            self._text.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag in BLOCK_TAGS:
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag == "article" and self._article_depth:
            self._article_depth -= 1
        if tag == self._cdata_tag:
            code = "".join(self._cdata)
            if code.strip():
                self._sig("inline-code", tag, _fingerprint(code))
            self._cdata_tag = None
            self._skip_text = max(0, self._skip_text - 1)
        if tag in BLOCK_TAGS:
            self._text.append(" ")

    def handle_data(self, data: str) -> None:
        if self._cdata_tag:
            self._cdata.append(data)
        elif self._article_depth and not self._skip_text:
            self._text.append(data)

    def handle_comment(self, data: str) -> None:
        self._sig("comment", _fingerprint(data))

    def handle_decl(self, decl: str) -> None:
        self._sig("declaration", decl.strip().lower())

    def unknown_decl(self, data: str) -> None:
        self._sig("declaration", _fingerprint(data))

    def handle_pi(self, data: str) -> None:
        self._sig("processing-instruction", _fingerprint(data))

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in RISKY_TAGS:
            key = tuple(sorted(f"{n}={_value_for_signature(tag, n, v)}" for n, v in values.items()))
            self._sig("element", tag, *key)
        for name, value in values.items():
            if name.startswith("on"):
                self._sig("handler", tag, name, value)
            elif name == "style":
                self._sig("style-attribute", tag, value)
            if name in URL_ATTRIBUTES or name.endswith(":href"):
                scheme = dangerous_url(value, name)
                if scheme:
                    self._sig("dangerous-url", tag, name, value)
        if self._article_depth or tag == "article":
            names = ",".join(sorted(values))
            self._sig("markup", tag, names, values.get("class", ""), values.get("rel", ""))
            href = values.get("href", "")
            if tag == "a" and re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", href, re.IGNORECASE) \
                    and values.get("rel") != REL_EXTERNAL:
                self.scan.external_links.add(href)

    def close(self) -> None:
        super().close()
        self.scan.article_text = " ".join("".join(self._text).split())


def scan_html(html: str) -> PageScan:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.scan


def visible_text(page: Path) -> str:
    """The text a reader sees in the page's article, whitespace folded; breaks are spaces."""
    return scan_html(page.read_text(encoding="utf-8")).article_text


def page_kind(rel: str) -> str:
    """Pages that share one template share one kind: 'owner', 'question', 'survey' ..."""
    parts = rel.split("/")
    if parts[0] == "surveys" and len(parts) == 3:
        return "survey"
    if parts[0] == "surveys" and len(parts) == 4:
        return "survey-changes" if parts[2].startswith("changes") else "question"
    if parts[0] == "owners" and len(parts) == 3:
        return "owner"
    if parts[0] == "changes":
        return "changes"
    return rel


# -- the baseline and the check ---------------------------------------------------------

@dataclass
class Baseline:
    """What sites built from benign data contain: per page kind, and anywhere."""

    by_kind: dict[str, set[Signature]] = field(default_factory=dict)
    anywhere: set[Signature] = field(default_factory=set)
    external_links: set[str] = field(default_factory=set)

    @classmethod
    def from_sites(cls, *sites: Path) -> Baseline:
        baseline = cls()
        for site in sites:
            for rel, scan in scan_site(site).items():
                baseline.by_kind.setdefault(page_kind(rel), set()).update(scan.signatures)
                baseline.anywhere.update(scan.signatures)
                baseline.external_links.update(scan.external_links)
        return baseline

    def allowed(self, rel: str) -> set[Signature]:
        """Signatures allowed on a page: its kind's, or (a kind benign data never made)
        what any benign page has."""
        return self.by_kind.get(page_kind(rel), self.anywhere) | ALWAYS_ALLOWED


def scan_site(site: Path) -> dict[str, PageScan]:
    pages = sorted(site.rglob("*.html"))
    if not pages:
        raise AssertionError(f"{site}: no HTML file: is this a built site?")
    return {p.relative_to(site).as_posix(): scan_html(p.read_text(encoding="utf-8"))
            for p in pages}


def _describe(signature: Signature) -> tuple[str, str]:
    region, kind, *rest = signature
    return kind, f"in {region}: " + " ".join(repr(p) if " " in p or not p else p for p in rest)


def check_site(site: Path, baseline: Baseline) -> list[Finding]:
    """Every element, attribute, URL or comment of the site that the baseline lacks."""
    findings: list[Finding] = []
    for rel, scan in scan_site(site).items():
        allowed = baseline.allowed(rel)
        for signature in sorted(scan.signatures - allowed):
            kind, detail = _describe(signature)
            findings.append(Finding(rel, kind, detail))
        for href in sorted(scan.external_links - baseline.external_links):
            findings.append(Finding(rel, "external-link",
                                    f"absolute link without rel={REL_EXTERNAL!r}: {href!r}"))
    findings += check_data_files(site)
    return findings


def assert_clean(site: Path, baseline: Baseline) -> None:
    """Fail with every finding listed, one per line."""
    findings = check_site(site, baseline)
    if findings:
        raise AssertionError(format_findings(findings))


def check_data_files(site: Path) -> list[Finding]:
    """Feeds must be well-formed XML, JSON files valid JSON (their readers trust them)."""
    findings = []
    for path in sorted(site.rglob("*")):
        try:
            if path.suffix == ".xml":
                ET.parse(path)
            elif path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
        except (ET.ParseError, ValueError) as exc:
            findings.append(Finding(path.relative_to(site).as_posix(), "unparsable", str(exc)))
    return findings


# -- files written outside the output folders -------------------------------------------

def snapshot_tree(root: Path) -> dict[str, str]:
    """Every path under root: files by content hash, folders and links by what they are."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = f"link -> {path.readlink()}"
        elif path.is_dir():
            found[rel] = "folder"
        else:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, and every folder (value b'<folder>')."""
    return {p.relative_to(root).as_posix(): b"<folder>" if p.is_dir() else p.read_bytes()
            for p in sorted(root.rglob("*"))}


def writes_outside(before: dict[str, str], after: dict[str, str],
                   allowed: Iterable[str]) -> list[Finding]:
    """Paths added, changed or removed between two snapshots outside the allowed folders."""
    prefixes = tuple(a.rstrip("/") for a in allowed)

    def inside(rel: str) -> bool:
        return any(rel == p or rel.startswith(p + "/") for p in prefixes)

    findings = []
    for rel in sorted(set(before) | set(after)):
        if inside(rel) or before.get(rel) == after.get(rel):
            continue
        what = "added" if rel not in before else "removed" if rel not in after else "changed"
        findings.append(Finding(rel, "outside-write", what))
    return findings
