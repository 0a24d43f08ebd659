"""Bytes a reader's browser downloads for one search query: a real Chromium (Playwright)
types the query into a built site served on 127.0.0.1 and every response is counted.

Kept out of the build (Playwright is a test requirement); `builder bench` can call
query_bytes(). Sizes are the response bodies as served and as gzip would send them (a
static host such as GitHub Pages compresses JSON and JavaScript).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
SEARCH_PARTS = ("/search/", "/assets/search.js")
"""What a query costs beyond the page itself: the index files and the script."""


@dataclass(frozen=True)
class QueryCost:
    query: str
    requests: int
    raw_bytes: int
    gzip_bytes: int
    results: str
    """The status line the page showed (e.g. '312 results, 20 shown')."""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def _serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _one_query(browser: Any, base: str, page: str, query: str) -> QueryCost:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        tab = context.new_page()
        bodies: list[bytes] = []
        tab.on("response", lambda r: bodies.append(r.body())
               if any(part in r.url for part in SEARCH_PARTS) else None)
        tab.goto(base + page, wait_until="load")
        tab.fill("#csr-search-input", query)
        tab.press("#csr-search-input", "Enter")
        tab.wait_for_function("document.querySelector('.csr-search-status')"
                              ".textContent.length > 0")
        tab.wait_for_load_state("networkidle")
        status = tab.inner_text(".csr-search-status")
    finally:
        context.close()
    return QueryCost(query, len(bodies), sum(map(len, bodies)),
                     sum(len(gzip.compress(b)) for b in bodies), status)


def query_bytes(site: Path, queries: list[str], page: str = "",
                chromium: str = CHROMIUM) -> list[QueryCost]:
    """One fresh browser context per query (nothing cached), at a phone's width (375 px)."""
    from playwright.sync_api import sync_playwright

    with _serve(site) as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            return [_one_query(browser, base, page, query) for query in queries]
        finally:
            browser.close()
