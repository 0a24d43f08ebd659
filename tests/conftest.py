"""Shared test helpers: a throwaway project folder to build sites in, and the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from http_support import LocalServer, guard_network

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CCADB = FIXTURES / "ccadb"
APRIL_2017_URL = ("https://ccadb-public.secure.force.com/mozillacommunications/"
                  "CACommResponsesOnlyReport?CommunicationId=a05o000003WrzBC&QuestionId=Q00028")
MAY_2020_URL = ("https://ccadb-public.secure.force.com/mozillacommunications/"
                "CACommResponsesOnlyReport?CommunicationId=a051J000042AUSv"
                "&QuestionId=Q00101,Q00102,")


@dataclass
class Project:
    """A copy of the project folder's hand-written parts (mkdocs.yml, templates, theme
    overrides, hand-written pages), so a test can build without touching the checkout."""

    root: Path

    @property
    def docs(self) -> Path:
        """The build's work folder: generated pages and a copy of the hand-written ones."""
        return self.root / "build-docs"

    @property
    def handwritten(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def build_args(self, data: Path | None = None) -> list[str]:
        return ["build", "--data", str(data or self.data), "--docs-dir", str(self.docs),
                "--site-dir", str(self.site), "--config", str(self.config)]


def make_project(root: Path) -> Project:
    """mkdocs.yml, site_templates/, overrides/ and the hand-written part of docs/ (not
    pages an older builder generated there)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", root / "overrides")
    shutil.copytree(ROOT / "site_templates", root / "site_templates")
    manifest = ROOT / "docs" / ".generated-pages.json"
    generated = set(json.loads(manifest.read_text())) if manifest.exists() else set()
    generated.add(".generated-pages.json")
    for path in sorted((ROOT / "docs").rglob("*")):
        rel = path.relative_to(ROOT / "docs").as_posix()
        if path.is_file() and rel not in generated:
            (root / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, root / "docs" / rel)
    return Project(root)


@pytest.fixture(autouse=True)
def no_site_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`builder build` reads SITE_URL; a test that wants one sets it itself."""
    monkeypatch.delenv("SITE_URL", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project")


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 (tests/http_support.py)."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (tests/browser_support.py); each test
    opens a context of its own in it (browser_support.session)."""
    from browser_support import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only 127.0.0.1 may be reached: a module that downloads uses it for every test
    (`pytestmark = pytest.mark.usefixtures("network_guard")`)."""
    guard_network(monkeypatch)
