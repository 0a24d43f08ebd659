"""The Frictionless Data Package that describes every download: licence, sources, files."""

from __future__ import annotations

import json
from typing import Any

from builder.core.model import Store

LICENSE = {"name": "CDLA-Permissive-2.0", "path": "https://cdla.dev/permissive-2-0/",
           "title": "Community Data License Agreement - Permissive - Version 2.0"}
SOURCES = [{"title": "Common CA Database (CCADB)", "path": "https://www.ccadb.org/"},
           {"title": "Mozilla CA Communications",
            "path": "https://wiki.mozilla.org/CA/Communications"}]


def datapackage(store: Store, resources: list[dict[str, Any]]) -> bytes:
    demo = " This is fictitious demonstration data (builder demo)." if store.demo else ""
    package = {
        "profile": "data-package",
        "name": "ca-communications-record" + ("-demo" if store.demo else ""),
        "title": "CA Communications record" + (" (demonstration data)" if store.demo else ""),
        "description": (
            "CA owners' answers to Mozilla's CA Communications (surveys), with every "
            "version seen. Source: Common CA Database (CCADB), licensed CDLA-Permissive-2.0; "
            "not affiliated with or endorsed by the CCADB, Mozilla or any CA. JSON files "
            "keep the exact text; in CSV files a cell that begins with =, +, -, @, TAB or CR "
            "(and is not a plain number) is prefixed with an apostrophe (') so that "
            "spreadsheets do not run it as a formula." + demo),
        "licenses": [LICENSE],
        "sources": SOURCES,
        "keywords": ["CCADB", "Mozilla", "certificate authorities", "CA Communications",
                     "WebPKI"],
        "resources": resources,
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
