"""The incremental site step gives the site a full build gives, byte for byte, and falls
back to a full build whenever it could not.

Each check builds the same work folder twice: incrementally into the site that was
there, and with --full into a new site, then compares every file (builder.tools.sitediff).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from builder.core.text import canonical_key
from builder.publish.build import FINGERPRINT, BuildReport, build_site
from builder.tools import bench
from builder.tools.demo import write_demo
from builder.tools.sitediff import diff_sites
from conftest import Project, make_project


@pytest.fixture
def built(tmp_path: Path) -> Project:
    project = make_project(tmp_path / "p")
    write_demo(project.data, "small")
    assert build(project).site_step.action == "full"
    return project


def build(project: Project, site: Path | None = None, full: bool = False) -> BuildReport:
    return build_site(project.data, site_dir=site or project.site,
                      config_file=project.config, docs_dir=project.docs, full=full)


def assert_same_as_full(project: Project, tmp_path: Path) -> None:
    full = tmp_path / f"full-{len(list(tmp_path.iterdir()))}"
    report = build(project, full, full=True)
    assert report.site_step.action == "full" and report.written == []
    assert diff_sites(project.site, full) == []
    assert (project.site / FINGERPRINT).read_bytes() == (full / FINGERPRINT).read_bytes()


def test_one_changed_answer_builds_only_the_changed_pages(
        built: Project, tmp_path: Path) -> None:
    before = {p: p.stat().st_ino for p in built.site.rglob("*.html")}
    old_bytes = {p: p.read_bytes() for p in before}
    bench.change_one_answer(built.data, " (edited once)")
    report = build(built)
    assert report.site_step.action == "incremental" and report.mkdocs_ran
    assert set(report.site_step.changed) == set(report.written) and report.written
    assert "incrementally" in report.summary()
    html = [p for p in built.site.rglob("*.html")]
    unchanged = [p for p in html if p.stat().st_ino == before[p]]
    assert len(unchanged) > len(html) // 2  # hard links kept, not rewritten
    for page in report.written:
        if page.endswith(".md"):
            out = built.site / page.removesuffix(".md").removesuffix("index") / "index.html"
            assert out.stat().st_ino != before[out], page
    assert_same_as_full(built, tmp_path)
    # The previous site's files were never written through a link.
    assert all(p.read_bytes() == old_bytes[p] for p in unchanged)


def test_several_successive_changes_and_a_title_change(
        built: Project, tmp_path: Path) -> None:
    for round_ in range(2):
        bench.change_one_answer(built.data, f" (edit {round_})")
        assert build(built).site_step.action == "incremental"
        assert_same_as_full(built, tmp_path)
    survey = sorted((built.data / "surveys").iterdir())[0] / "survey.json"
    meta = json.loads(survey.read_text(encoding="utf-8"))
    meta["title"] += " <retitled>"
    survey.write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    report = build(built)
    assert report.site_step.action == "incremental", report.site_step
    page = (built.site / survey.parent.relative_to(built.data) / "index.html").read_text()
    assert "<title>March 2016 CA Communication (demo) &lt;retitled&gt;" in page
    assert_same_as_full(built, tmp_path)


def test_a_changed_static_file_is_replaced_never_written_through_a_link(
        built: Project, tmp_path: Path) -> None:
    held = tmp_path / "held"  # second links to the current site's downloads
    held.mkdir()
    old = {}
    for number, path in enumerate(sorted((built.site / "downloads").rglob("*.*"))):
        os.link(path, held / str(number))
        old[number] = path.read_bytes()
    bench.change_one_answer(built.data, " (in the downloads)")
    report = build(built)
    assert report.site_step.action == "incremental"
    assert [p for p in report.written if p.startswith("downloads/") and p.endswith(".csv")]
    assert all((held / str(n)).read_bytes() == data for n, data in old.items())
    assert_same_as_full(built, tmp_path)


def add_or_withdraw(project: Project, owner_name: str, withdraw: bool = False) -> None:
    """A new CA owner's answer to the newest survey's first question, or (withdraw) a
    full import of that question without it, as `builder import` would merge them."""
    from builder.core.model import SurveyData
    from builder.ingest.merge import merge
    from builder.ingest.validate import ImportBundle
    from builder.publish.paths import surveys_newest_first
    from builder.store.records import load_store, save_store

    store = load_store(project.data)
    data = surveys_newest_first(store)[0]
    question = data.sorted_questions()[0]
    answers = {k: a for k, a in data.answers.items() if k[0] == question.id}
    template = next(iter(answers.values()))
    key = canonical_key(owner_name)
    if withdraw:
        answers.pop((question.id, key))
    else:
        answers = {(question.id, key): replace(template, owner_key=key, owner_name=owner_name,
                                               observed_at="2030-01-01T00:00:00Z")}
    bundle = SurveyData(data.survey, {question.id: question}, answers)
    store, _ = merge(store, ImportBundle({data.survey.key: bundle}, []), partial=not withdraw,
                 observed_at="2030-01-02T00:00:00Z" if withdraw else "2030-01-01T00:00:00Z")
    save_store(store, project.data)


def test_an_added_answer_of_a_new_owner_falls_back_then_its_withdrawal_is_incremental(
        built: Project, tmp_path: Path) -> None:
    add_or_withdraw(built, "Fictitious Newcomer CA")
    report = build(built)
    assert [p for p in report.written if p.startswith("owners/") and "newcomer" in p]
    assert report.site_step.action == "full", report.site_step  # a page was added
    assert_same_as_full(built, tmp_path)
    add_or_withdraw(built, "Fictitious Newcomer CA", withdraw=True)
    report = build(built)  # its page stays (its history); the answer is withdrawn
    assert report.site_step.action == "incremental" and not report.removed
    assert_same_as_full(built, tmp_path)


def test_a_removed_page_falls_back_to_a_full_build(built: Project, tmp_path: Path) -> None:
    oldest = sorted((built.data / "surveys").iterdir())[0]
    shutil.rmtree(oldest)
    (built.data / "topics.json").unlink()  # it names questions of that survey
    report = build_site(built.data, site_dir=built.site, config_file=built.config,
                        docs_dir=built.docs, allow_shrink=True)
    assert report.removed and report.site_step.action == "full", report.site_step
    assert_same_as_full(built, tmp_path)


def test_configuration_overrides_and_hand_written_pages_fall_back(built: Project) -> None:
    about = built.handwritten / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    assert build(built).site_step.action == "full"
    main_html = built.root / "overrides" / "main.html"
    main_html.write_text(main_html.read_text(encoding="utf-8") + "\n", "utf-8")
    assert build(built).site_step.action == "full"
    built.config.write_text(built.config.read_text(encoding="utf-8") + "\n", "utf-8")
    assert build(built).site_step.action == "full"
    assert build(built).site_step.action == "skip"
    assert build(built, full=True).site_step.action == "full"


def test_a_site_without_a_stamp_of_this_kind_gets_a_full_build(built: Project) -> None:
    (built.site / FINGERPRINT).write_text("0123abcd")  # an older builder's stamp
    report = build(built)
    assert report.site_step.action == "full"
    assert json.loads((built.site / FINGERPRINT).read_text())["env"]


def test_the_quick_theme_listing_lists_what_mkdocs_lists(built: Project) -> None:
    """The incremental step lists the theme's files without walking hidden folders; the
    Files it adds are those of MkDocs' own listing (theme and overrides/)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from builder.publish.incremental import theme_listing

    config = load_config(str(built.config), docs_dir=str(built.docs))
    assert len(config.theme.dirs) >= 2  # overrides/ and the theme
    theirs, ours = Files([]), Files([])
    theirs.add_files_from_theme(config.theme.get_env(), config)
    ours.add_files_from_theme(theme_listing(config), config)
    listed = [(f.src_uri, f.abs_src_path, f.dest_uri) for f in theirs]
    assert len(listed) > 20
    assert [(f.src_uri, f.abs_src_path, f.dest_uri) for f in ours] == listed


KILLED_MOVE = """
import os, sys
from pathlib import Path
import builder.publish.build as build
import builder.publish.site_step as site_step
from builder.store import durable

real = site_step.move_files

def killed_at_a_step(*args, **kwargs):  # count only the steps of the site's own save
    os.environ[durable.FAULT_ENV] = "kill:" + sys.argv[2]
    durable._counts["kill"] = 0
    return real(*args, **kwargs)

site_step.move_files = killed_at_a_step
root = Path(sys.argv[1])
report = build.build_site(root / "data", site_dir=root / "site",
                          config_file=root / "mkdocs.yml", docs_dir=root / "build-docs")
assert report.site_step.action == "incremental", report.site_step
"""


def _site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file()}


def test_an_incremental_step_killed_at_any_step_leaves_the_old_or_the_new_site(
        built: Project, tmp_path: Path) -> None:
    """The rebuilt files reach the site in one journaled save: a SIGKILL before its
    commit point leaves the old site, one after it a save the next build completes
    first (durable.complete_pending, as for data/)."""
    import signal
    import subprocess
    import sys

    from builder.store import durable
    from conftest import ROOT

    old = _site_files(built.site)
    bench.change_one_answer(built.data, " (edited before a kill)")
    reference = tmp_path / "reference"
    shutil.copytree(built.root, reference)
    done = subprocess.run([sys.executable, "-c", KILLED_MOVE, str(reference), "100000"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    new = _site_files(reference / "site")
    assert new != old
    outcomes = []
    for step in (1, 20, 45, 100000):
        copy = tmp_path / f"kill-{step}"
        shutil.copytree(built.root, copy)
        done = subprocess.run([sys.executable, "-c", KILLED_MOVE, str(copy), str(step)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, -signal.SIGKILL), done.stderr
        durable.complete_pending(copy / "site", durable=False)  # what the next build does
        after = _site_files(copy / "site")
        assert after in (old, new), step
        outcomes.append("old" if after == old else "new")
        if done.returncode == 0:
            break
    # Killed while staging: the old site; while renaming: the new one, completed.
    assert outcomes[0] == "old" and outcomes.count("new") >= 2, outcomes
    assert outcomes == sorted(outcomes, key=["old", "new"].index)


def test_a_full_site_step_in_shares_is_mkdocs_own_build(
        built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full site step renders the pages in one process per share; together they make
    the site MkDocs' own build (--full) makes, byte for byte."""
    import builder.publish.site_step as build_module
    from builder.publish.background import FreshProcesses

    runs: list[list[tuple[int, int] | None]] = []
    real = FreshProcesses.run

    def recorded(self, makes, what):  # type: ignore[no-untyped-def]
        runs.append([make.keywords.get("share") for make in makes])
        return real(self, makes, what)

    monkeypatch.setattr(FreshProcesses, "run", recorded)
    monkeypatch.setattr(build_module, "site_shares", lambda: 3)
    report = build(built, tmp_path / "shares")
    assert report.site_step.action == "full"
    build(built, tmp_path / "own", full=True)
    assert runs == [[(0, 3), (1, 3), (2, 3)], [None]]
    assert diff_sites(tmp_path / "shares", tmp_path / "own") == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # shares' folders


def with_plugin_line(project: Project, line: str) -> None:
    text = project.config.read_text(encoding="utf-8")
    assert "\n  - csr-html" in text
    project.config.write_text(text.replace("\n  - csr-html", f"\n  - {line}\n  - csr-html"),
                              encoding="utf-8")


def test_a_plugin_the_builder_does_not_know_gets_mkdocs_own_build(
        built: Project, tmp_path: Path) -> None:
    """A search plugin writes one index of the pages it saw: a share or a changed page
    would give it a part of the site, so with any plugin but the builder's own, every
    site step is MkDocs' own build."""
    with_plugin_line(built, "search")
    assert build(built).site_step.action == "full"
    index = json.loads((built.site / "search" / "search_index.json").read_text("utf-8"))
    indexed = {doc["location"].split("#")[0] for doc in index["docs"]}
    pages = {str(p.parent.relative_to(built.site)) + "/" for p in built.site.rglob("index.html")
             if p.parent != built.site}
    assert pages - indexed == set() and len(pages) > 30
    bench.change_one_answer(built.data, " (with a search plugin)")
    assert build(built).site_step.action == "incremental"
    assert_same_as_full(built, tmp_path)


def test_an_anchor_a_page_links_to_is_checked_when_only_that_page_is_built(
        built: Project, tmp_path: Path) -> None:
    """MkDocs checks a link's anchor against the page it points to; a site step that
    builds only some pages reads the pages they link to with an anchor, so the check
    is the same (here with `anchors: warn`, which strict mode makes an error)."""
    from builder.core.errors import BuildFailed
    from builder.publish.site_step import mkdocs_build

    text = built.config.read_text(encoding="utf-8")
    assert "  links:\n" in text
    built.config.write_text(text.replace("  links:\n", "  links:\n    anchors: warn\n"),
                            encoding="utf-8")
    owner = sorted(built.docs.glob("owners/fictitious-*.md"))[0].relative_to(built.docs)
    about = built.docs / "about.md"  # the work folder's copy: only that page is built
    about.write_text(f"# About\n\n[fine]({owner.as_posix()}#summary) "
                     f"[broken]({owner.as_posix()}#no-such-anchor)\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="does not contain an anchor '#no-such-anchor'"):
        mkdocs_build(built.config, built.docs, tmp_path / "out", None, changed=["about.md"])
    about.write_text(f"# About\n\n[fine]({owner.as_posix()}#summary)\n", encoding="utf-8")
    mkdocs_build(built.config, built.docs, tmp_path / "out2", None, changed=["about.md"])
    assert (tmp_path / "out2" / "about" / "index.html").is_file()


def test_full_makes_every_kept_piece_again(built: Project, tmp_path: Path) -> None:
    """`--full` trusts nothing the work folder keeps: pieces of the search index and of
    the downloads replaced by other bytes (under names that match them, as a bug could
    leave them) are not used, and the site is that of a build from nothing."""
    import hashlib

    from builder.publish.opendata.pieces import CACHE
    from builder.publish.search import SEARCH_PIECES

    poisoned = 0
    for folder in (built.docs / CACHE, built.docs / SEARCH_PIECES):
        pieces = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        contents = [p.read_bytes() for p in pieces]
        for piece, data in zip(pieces, contents[1:] + contents[:1], strict=True):
            piece.unlink()  # each piece gets the next one's bytes, under a matching name
            key = piece.name.partition(".")[0]
            (folder / f"{key}.{hashlib.sha256(data).hexdigest()[:32]}").write_bytes(data)
            poisoned += 1
    assert poisoned > 10
    assert build(built, full=True).site_step.action == "full"
    fresh = make_project(tmp_path / "fresh")
    build_site(built.data, site_dir=fresh.site, config_file=fresh.config, docs_dir=fresh.docs)
    assert diff_sites(built.site, fresh.site) == []
