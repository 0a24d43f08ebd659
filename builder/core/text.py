"""Text normalisation shared by every stage: identity keys, display clean-up, file names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Bidi embedding/override/isolate controls: they can make text read differently from what it is.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_WHITESPACE_RUN = re.compile(r"\s+")
SURROGATES = "\ud800-\udfff"
"""The lone-surrogate code points (a regex class range): no UTF-8 can carry them."""
SURROGATE = re.compile(f"[{SURROGATES}]")


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the one rule for every output)."""
    return SURROGATE.sub("\ufffd", text)


LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
"""Every line separator that YAML (CR, NEL, U+2028, U+2029), Python's str.splitlines (VT,
FF too) or a browser knows besides LF: each becomes one LF before display, so that no
later stage can meet a line break it was not written for."""


def _is_invisible(ch: str) -> bool:
    # Format characters (zero-width space, joiners, BOM, bidi marks) and controls.
    return unicodedata.category(ch) in ("Cf", "Cc") or ch in _BIDI_CONTROLS


def canonical_key(name: str) -> str:
    """The identity of a name: NFKC, invisible characters dropped, whitespace folded.

    Two spellings of one CA owner (NFC vs NFD, a stray zero-width space, doubled
    spaces) give the same key; different names keep different keys (no case or
    accent folding, so 'Ünïcode CA' and 'Unicode CA' stay two owners).
    """
    text = without_surrogates(name)
    # Every whitespace character (NEL and U+2028 too, which are also controls or line
    # separators) is a space, so folding whitespace first never changes the key.
    text = "".join(" " if ch.isspace() else ch for ch in text)
    # Drop invisible characters before normalising: one between a letter and its
    # combining mark would otherwise keep them from composing.
    text = "".join(ch for ch in text if not _is_invisible(ch))
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE_RUN.sub(" ", text).strip()


_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(_BIDI_CONTROLS)) + "]")
"""Control characters (category Cc: U+0000-001F, U+007F-009F) but tab and newline, and
the bidi controls: dropped before display."""


def clean_for_display(text: str) -> str:
    """Text as it may be shown: line breaks made LF, controls and bidi overrides dropped.

    Tab and newline are kept; lone surrogates become U+FFFD. This is the documented
    clean-up applied before any value reaches a page.
    """
    if text.isascii() and text.isprintable():
        return text  # the usual case: nothing to drop or change
    return _HIDDEN.sub("", LINE_BREAKS.sub("\n", without_surrogates(text)))


def fold_whitespace(text: str) -> str:
    return _WHITESPACE_RUN.sub(" ", text).strip()


def short_hash(key: str, length: int = 8) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def ascii_slug(text: str, max_length: int = 48) -> str:
    """A readable lower-case ASCII part for a file name; may be empty."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].strip("-")


def page_name(key: str, fallback: str) -> str:
    """File name stem for a thing named by untrusted text: readable slug plus key hash.

    The hash makes names unique per canonical key; the slug never holds '.', '/', or
    anything but [a-z0-9-], so a name can never leave its folder or hide itself.
    """
    return f"{ascii_slug(key) or fallback}-{short_hash(key)}"


_PUBLIC_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def public_source(source: str) -> str:
    """A source as it may be published (pages and downloads): a URL as it is (http(s),
    or a demo export's demo://), a local file by its name alone: never a path of the
    machine that imported it (a file:// URL is a local path too)."""
    if _PUBLIC_URL.match(source) and not source.lower().startswith("file:"):
        return source
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
