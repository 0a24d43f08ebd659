"""Running the site live: the site URL (canonical links, sitemap, feeds, 404 page), the
guards that keep a published site from being replaced by mistake, and builds of two
datasets from one project folder."""

from __future__ import annotations

import gzip
import os
import posixpath
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from builder.cli import main
from conftest import ROOT, Project, make_project
from sitecheck import main_text, read_page

URL = "https://owner.github.io/repo/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_args(project: Project, data: Path, site: Path | None = None) -> list[str]:
    """`builder build` as a user runs it: no --docs-dir (the default work folder)."""
    return ["build", "--data", str(data), "--site-dir", str(site or project.site),
            "--config", str(project.config)]


def canonical(page: Path) -> list[str]:
    return [a["href"] for t, a in read_page(page).tags
            if t == "link" and a.get("rel") == "canonical"]


def pages_of(site: Path) -> dict[str, Path]:
    """Every page of a built site by its URL path ('' for the home page)."""
    return {posixpath.dirname(p.relative_to(site).as_posix()) + "/": p
            for p in sorted(site.rglob("index.html"))}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("live") / "project")
    result = CliRunner().invoke(main, [*build_args(project, ROOT / "data"),
                                       "--site-url", URL.rstrip("/")])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output
    return project


def test_every_page_has_its_canonical_link(published: Project) -> None:
    pages = pages_of(published.site)
    assert len(pages) > 20
    for path, page in pages.items():
        assert canonical(page) == [URL + path.removeprefix("/")], path


def test_the_sitemap_lists_every_page_with_its_absolute_address(published: Project) -> None:
    root = ET.parse(published.site / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert sorted(locs) == sorted(URL + p.removeprefix("/") for p in pages_of(published.site))
    assert not list(root.iter(f"{SITEMAP}lastmod"))  # a build date would claim a change


def test_the_compressed_sitemap_carries_no_build_time(
        published: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gzip header's time is 0 (none), whatever day the site is built, so the same
    data gives the same bytes on any day (every site step, full, shared or incremental,
    runs MkDocs through site_step.mkdocs_build); a caller's own SOURCE_DATE_EPOCH is left
    as it was."""
    packed = (published.site / "sitemap.xml.gz").read_bytes()
    assert packed[:3] == b"\x1f\x8b\x08" and packed[4:8] == bytes(4)
    assert gzip.decompress(packed) == (published.site / "sitemap.xml").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # a later day, had MkDocs its way
    other = make_project(tmp_path / "p")
    assert CliRunner().invoke(main, [*build_args(other, ROOT / "data")]).exit_code == 0
    assert (other.site / "sitemap.xml.gz").read_bytes()[4:8] == bytes(4)
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


def test_feeds_use_absolute_links_and_ids(published: Project) -> None:
    feeds = [p for p in published.site.glob("feeds/**/*.xml") if p.name != "sitemap.xml"]
    assert len(feeds) > 5
    entries = 0
    for feed in feeds:
        root = ET.parse(feed).getroot()
        hrefs = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
        self_links = [link.get("href") for link in root.iter(f"{ATOM}link")
                      if link.get("rel") == "self"]
        assert self_links == [URL + feed.relative_to(published.site).as_posix()]
        for href in hrefs:
            assert href.startswith(URL), (feed, href)
            target = href.removeprefix(URL).split("#")[0]
            assert (published.site / target / "index.html").is_file() or (
                published.site / target).is_file(), (feed, href)
        for element in root.iter(f"{ATOM}id"):
            assert urlsplit(element.text or "").scheme == "tag", element.text
        entries += len(root.findall(f"{ATOM}entry"))
    assert entries > 0


def test_the_404_page_loads_its_assets_under_the_sub_path(published: Project) -> None:
    tags = read_page(published.site / "404.html").tags
    refs = [a.get("href") or a.get("src") or "" for t, a in tags
            if t in ("link", "script", "img") and (a.get("href") or a.get("src"))]
    local = [r for r in refs if not r.startswith(("http:", "https:", "data:"))]
    assert any("assets/stylesheets" in r for r in local)
    for ref in local:
        assert ref.startswith("/repo/"), ref
        assert (published.site / ref.removeprefix("/repo/").split("?")[0]).is_file(), ref


def test_the_404_page_says_what_happened_and_links_pages_that_exist(
        published: Project) -> None:
    """A reader who followed an old address is told why it may be gone and given the
    way back; each link works from any depth the server serves the page at."""
    html = (published.site / "404.html").read_text(encoding="utf-8")
    text = main_text(published.site / "404.html")
    assert "Page not found" in text and "an address kept from an older copy" in text
    article = html[html.index("<article"):html.index("</article>")]
    links = re.findall(r'<a href="([^"]*)">', article)
    assert links == ["/repo/.", "/repo/owners/", "/repo/changes/"]
    for href in links:
        target = published.site / href.removeprefix("/repo/")
        assert (target / "index.html").is_file(), href


def test_the_site_url_comes_from_the_option_then_the_variable_then_the_file(
        tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p")
    with project.config.open("a", encoding="utf-8") as fh:
        fh.write("site_url: https://file.example/\n")

    def home_canonical(*extra: str) -> list[str]:
        result = cli(*build_args(project, ROOT / "data"), *extra)
        assert result.exit_code == 0, result.output
        return canonical(project.site / "index.html")

    assert home_canonical() == ["https://file.example/"]
    monkeypatch.setenv("SITE_URL", "https://env.example/sub")
    assert home_canonical() == ["https://env.example/sub/"]
    assert home_canonical("--site-url", "https://option.example/") == ["https://option.example/"]


def test_without_a_site_url_the_build_works_and_says_so_once(tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "p")
    result = cli(*build_args(project, ROOT / "data"))
    assert result.exit_code == 0, result.output
    assert result.output.count("note: no site URL") == 1
    assert canonical(project.site / "index.html") == []
    quiet = cli(*build_args(project, ROOT / "data"), "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_a_site_url_that_is_not_an_http_address_is_refused(tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "p")
    result = cli(*build_args(project, ROOT / "data"), "--site-url", "owner.github.io/repo")
    assert result.exit_code == 1
    assert "--site-url: site URL: expected an absolute http(s) address" in result.output
    assert "(got 'owner.github.io/repo')" in result.output
    assert not project.site.exists()


@pytest.fixture
def built(tmp_path: Path, cli) -> Project:
    project = make_project(tmp_path / "p")
    result = cli(*build_args(project, ROOT / "data"))
    assert result.exit_code == 0, result.output
    return project


def test_a_mistyped_data_folder_leaves_the_site_as_it_was(built: Project, tmp_path: Path,
                                                          cli) -> None:
    before = tree(built.site)
    result = cli(*build_args(built, tmp_path / "typo"))
    assert result.exit_code == 1
    assert (f"{tmp_path / 'typo'}: -: missing-folder: the data folder does not exist"
            in result.output)
    assert tree(built.site) == before
    validate = cli("validate", "--data", tmp_path / "nonexistent")
    assert validate.exit_code == 1
    assert "missing-folder" in validate.output and "ok" not in validate.output


def test_an_empty_store_does_not_replace_the_site_unless_allowed(built: Project,
                                                                 tmp_path: Path, cli) -> None:
    before = tree(built.site)
    (tmp_path / "empty").mkdir()
    result = cli(*build_args(built, tmp_path / "empty"))
    assert result.exit_code == 1
    assert "more than half would go" in result.output and "--allow-shrink" in result.output
    assert tree(built.site) == before
    assert not list(built.site.parent.glob(".site-build-*"))
    allowed = cli(*build_args(built, tmp_path / "empty"), "--allow-shrink")
    assert allowed.exit_code == 0, allowed.output
    assert len(list(built.site.rglob("*.html"))) * 2 < sum(k.endswith(".html") for k in before)


def test_two_datasets_build_one_after_the_other_without_mixing(tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "p")
    demo, demo_site = project.root / "demo-data", project.root / "demo-site"
    assert cli("demo", "--size", "small", "--data", demo, "--quiet").output == ""
    handwritten = tree(project.handwritten)
    assert cli(*build_args(project, demo, demo_site)).exit_code == 0
    assert cli(*build_args(project, ROOT / "data")).exit_code == 0
    assert tree(project.handwritten) == handwritten  # no page written among the hand-written
    assert len(list((project.root / ".build-docs").iterdir())) == 2
    real_html = {p: t.decode("utf-8") for p, t in tree(project.site).items()
                 if p.endswith(".html")}
    demo_html = {p: t.decode("utf-8") for p, t in tree(demo_site).items() if p.endswith(".html")}
    assert not [p for p, text in real_html.items()
                if "Demonstration data." in text or "Fictitious" in text]
    assert not [p for p, text in demo_html.items() if "Amazon Trust Services" in text]
    assert not [p for p, text in demo_html.items()
                if p.startswith(("surveys/", "owners/")) and "Demonstration data." not in text]
    # Each has its own work folder: building one again finds nothing to do.
    for args in (build_args(project, ROOT / "data"), build_args(project, demo, demo_site)):
        again = cli(*args)
        assert again.exit_code == 0
        assert "0 written, 0 removed; site unchanged, MkDocs build skipped" in again.output


def test_docs_dir_may_be_a_fresh_folder(tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "p")
    fresh = tmp_path / "fresh"
    result = cli(*build_args(project, ROOT / "data"), "--docs-dir", fresh)
    assert result.exit_code == 0, result.output
    assert (fresh / "about.md").read_bytes() == (project.handwritten / "about.md").read_bytes()
    assert (project.site / "about" / "index.html").is_file()


def test_docs_dir_is_never_the_hand_written_pages_or_a_foreign_folder(tmp_path: Path,
                                                                      cli) -> None:
    project = make_project(tmp_path / "p")
    handwritten = tree(project.handwritten)
    result = cli(*build_args(project, ROOT / "data"), "--docs-dir", project.handwritten)
    assert result.exit_code == 1
    assert "must be apart from the hand-written pages" in result.output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = cli(*build_args(project, ROOT / "data"), "--docs-dir", foreign)
    assert result.exit_code == 1
    assert "is not a work folder of the builder" in result.output
    assert tree(project.handwritten) == handwritten
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert not project.site.exists()


def test_site_dir_is_never_the_data_a_parent_of_it_or_a_foreign_folder(tmp_path: Path,
                                                                       cli) -> None:
    """A full build replaces the site folder whole: a mistyped --site-dir once removed the
    data store (or any folder given) and exited 0."""
    project = make_project(tmp_path / "p")
    data = tmp_path / "holder" / "data"
    shutil.copytree(ROOT / "data", data)
    (tmp_path / "holder" / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = tree(tmp_path / "holder")
    for site, said in [(data, "must be apart from the data folder"),
                       (tmp_path / "holder", "must be apart from the data folder"),
                       (data / "site", "must be apart from the data folder"),
                       (project.handwritten, "must be apart from the hand-written pages"),
                       (project.config.parent / "site_templates", "apart from the templates"),
                       (project.config.parent, "would hold the project folder"),
                       (tmp_path, "would hold the project folder")]:
        result = cli(*build_args(project, data, site))
        assert result.exit_code == 1, (site, result.output)
        assert said in result.output, (site, result.output)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = cli(*build_args(project, data, foreign))
    assert result.exit_code == 1
    assert "is not a site the builder built" in result.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert tree(tmp_path / "holder") == before
    # A new folder, an empty one and the builder's own site are fine.
    empty = tmp_path / "empty"
    empty.mkdir()
    for site in (tmp_path / "new", empty, empty):
        result = cli(*build_args(project, data, site))
        assert result.exit_code == 0, result.output
        assert (site / "index.html").is_file()


def test_a_hand_written_page_removed_leaves_the_site(tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "p")
    extra = project.handwritten / "extra.md"
    extra.write_text("# Extra\n", encoding="utf-8")
    assert cli(*build_args(project, ROOT / "data")).exit_code == 0
    assert (project.site / "extra" / "index.html").is_file()
    extra.unlink()
    result = cli(*build_args(project, ROOT / "data"))
    assert result.exit_code == 0, result.output
    assert " 1 removed" in result.output
    assert not (project.site / "extra").exists()
    shutil.rmtree(project.site)


def test_pages_an_older_builder_generated_among_the_hand_written_are_left_out(
        tmp_path: Path) -> None:
    from builder.publish.workdir import handwritten_pages

    docs = tmp_path / "docs"
    (docs / "surveys").mkdir(parents=True)
    (docs / "about.md").write_text("# About\n", encoding="utf-8")
    (docs / "surveys" / "index.md").write_text("# old generated page\n", encoding="utf-8")
    (docs / ".generated-pages.json").write_text('["surveys/index.md"]\n', encoding="utf-8")
    assert handwritten_pages(docs) == {"about.md": b"# About\n"}
