"""Shared helpers of the browser tests: a built site served on 127.0.0.1, Chromium.

The browser is Debian's Chromium (`/usr/bin/chromium`, via `dev.py test`), driven
by Playwright for Python; `playwright install` is never run. When Chromium is missing
the tests fail with a message saying how to install it: they never skip.

Every page opened through `Session.open` records its console errors, uncaught
exceptions, failed requests, HTTP errors, dialogs and every request it makes; a request
to any host other than the test server is recorded and aborted, so the tests never
reach the network, and `Session.check_clean` fails on it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.publish.build import build_site
from conftest import ROOT, Project, make_project

CHROMIUM = os.environ.get("CSR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync",
                 # Belt and braces: Chromium itself cannot resolve any host but ours (no
                 # DNS prefetch of the links to ccadb.org either). Requests to other hosts
                 # are still seen by the tests (page.on("request")) and fail them.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
HOST = "127.0.0.1"


# --- the site -------------------------------------------------------------------------

def build_demo_site(root: Path) -> Project:
    """The small demo dataset (three surveys with histories), built once per module."""
    from click.testing import CliRunner

    from builder.cli import main

    result = CliRunner().invoke(main, ["demo", "--size", "small", "--data",
                                       str(root / "demo")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    project = make_project(root / "project")
    build_site(root / "demo", docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class SiteServer:
    """A built site served over HTTP on 127.0.0.1 (a free port) from a thread."""

    site: Path
    base: str = ""
    _server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> SiteServer:
        handler = functools.partial(_QuietHandler, directory=str(self.site))
        self._server = http.server.ThreadingHTTPServer((HOST, 0), handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.base = f"http://{HOST}:{port}/"
        threading.Thread(target=self._server.serve_forever, name="site-server",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    def page_url(self, html: Path) -> str:
        """The address of a built `…/index.html` file (a directory URL)."""
        rel = html.relative_to(self.site).as_posix()
        return self.url(rel[: -len("index.html")] if rel.endswith("index.html") else rel)


@contextmanager
def serve(site: Path) -> Iterator[SiteServer]:
    server = SiteServer(site).start()
    try:
        yield server
    finally:
        server.stop()


# --- the browser ----------------------------------------------------------------------

def chromium_problem() -> str | None:
    path = shutil.which(CHROMIUM) if os.sep not in CHROMIUM else CHROMIUM
    if not path or not os.access(path, os.X_OK):
        return (f"Chromium not found at {CHROMIUM}: the browser tests need Debian's "
                "Chromium (`apt-get install chromium`; dev.py test does it) or CSR_CHROMIUM "
                "set to a Chromium binary. `playwright install` is not used.")
    return None


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright. Fails (never skips) without it."""
    problem = chromium_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - a broken environment
        pytest.fail(f"Playwright for Python is not installed ({error}); "
                    "run `python3 dev.py test`, which installs requirements/test.txt",
                    pytrace=False)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - turned into a clear failure
            pytest.fail(f"Chromium at {CHROMIUM} could not be started by Playwright: "
                        f"{error}", pytrace=False)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Session:
    """One browser context on the test server, recording everything that goes wrong."""

    server: SiteServer
    context: object
    requests: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[tuple[str, object]] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def _on_request(self, request) -> None:
        self.requests.append(request.url)
        if not self.is_local(request.url):
            self.offsite.append(request.url)

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True  # no network: made inside the page
        return parts.hostname == HOST and url.startswith(self.server.base)

    def _route(self, route) -> None:
        if self.is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")  # recorded by _on_request; never sent

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        self.console_errors.append(f"{message.text} ({url})")

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append((r.url, r.failure))
                if self.is_local(r.url) else None)
        page.on("response", self._on_response)
        page.on("dialog", self._on_dialog)

    def new_page(self):
        page = self.context.new_page()
        self.watch(page)
        return page

    def open(self, path_or_url: str, page=None):
        page = page or self.new_page()
        url = path_or_url if "://" in path_or_url else self.server.url(path_or_url)
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, (url, response and response.status)
        return page

    def problems(self) -> dict[str, list[str]]:
        return {name: values for name, values in (
            ("requests to other hosts", self.offsite),
            ("console errors", self.console_errors),
            ("uncaught exceptions", self.page_errors),
            # net::ERR_ABORTED is a request the browser itself cancelled (the page was
            # left before the favicon or search worker came, or a link became a
            # download); a missing file is an HTTP error above, a broken server another
            # net:: error.
            ("failed requests", [f"{url}: {why}" for url, why in self.failed
                                 if why != "net::ERR_ABORTED"]),
            ("HTTP errors", self.http_errors),
            ("dialogs", self.dialogs)) if values}

    def check_clean(self) -> None:
        problems = self.problems()
        assert not problems, f"the browser saw problems: {problems}"


@contextmanager
def session(browser, server: SiteServer, **context_options) -> Iterator[Session]:
    options = {"viewport": {"width": 1280, "height": 900}, "service_workers": "block",
               **context_options}
    context = browser.new_context(**options)
    recorder = Session(server, context)
    context.on("request", recorder._on_request)
    context.route("**/*", recorder._route)
    try:
        yield recorder
    finally:
        context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under artifacts/screenshots/ (git-ignored; kept by CI runs)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 1000, path
    return path


# --- accessibility --------------------------------------------------------------------

def run_axe(page, options: dict | None = None) -> dict:
    """Inject the pinned axe-core (tests/vendor/axe.min.js) and run it on the page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("options => window.axe.run(document, options)",
                         options or {"resultTypes": ["violations"]})
