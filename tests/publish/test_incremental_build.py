"""The builder's incremental build: a no-change rebuild that reads nothing, and after a
change only the pages it touches rendered, with a work folder and a site equal, byte for
byte, to a build from nothing (a fresh work folder and site, --full).

Each step changes the demo store through the merge code (as an import does), builds
incrementally, then builds the same data from nothing and compares: the written pages
must be exactly the files whose bytes differ between the two builds from nothing.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from builder.core.errors import BuildFailed
from builder.core.model import SurveyData
from builder.ingest.merge import merge
from builder.ingest.validate import ImportBundle
from builder.publish import generate as generate_module
from builder.publish import inputs, steps, touched
from builder.publish.build import UNCHANGED, BuildReport, build_site
from builder.publish.paths import surveys_newest_first
from builder.publish.stamp import HASHES
from builder.store.records import load_store, save_store
from builder.tools import bench
from builder.tools.demo import write_demo
from builder.tools.sitediff import diff_sites
from conftest import Project, make_project

OWN_STATE = {inputs.RECORD, HASHES}
"""Hidden files that may differ between two equal builds (inodes, times)."""


def build(project: Project, full: bool = False, docs: Path | None = None,
          site: Path | None = None) -> BuildReport:
    return build_site(project.data, site_dir=site or project.site, config_file=project.config,
                      docs_dir=docs or project.docs, full=full)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name not in OWN_STATE}


@pytest.fixture
def built(tmp_path: Path) -> Project:
    project = make_project(tmp_path / "p")
    write_demo(project.data, "small")
    build(project)
    return project


class Rendered:
    """What make_pages rendered in the last build (all of it in the build's process: the
    pages of a full render are not dealt to the other, whose iter_site this cannot see;
    tests/publish/test_background.py and the full-build comparisons test the deal)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: set[str] = set()
        real = steps.iter_site
        decide = steps.Deal.decide
        monkeypatch.setattr(steps.Deal, "decide",
                            lambda deal, dealing: decide(deal, False))

        def spy(*args: object, **kwargs: object) -> Iterator[tuple[str, str]]:
            self.paths = set()
            for path, text in real(*args, **kwargs):  # type: ignore[arg-type]
                self.paths.add(path)
                yield path, text
        monkeypatch.setattr(steps, "iter_site", spy)


def from_nothing(project: Project, tmp_path: Path) -> tuple[Path, Path]:
    n = len(list(tmp_path.glob("fresh-*")))
    docs, site = tmp_path / f"fresh-{n}" / "docs", tmp_path / f"fresh-{n}" / "site"
    build(project, full=True, docs=docs, site=site)
    return docs, site


def _save(project: Project, data: SurveyData, bundle: SurveyData, partial: bool) -> None:
    store = load_store(project.data)
    merged, changes = merge(store, ImportBundle({data.survey.key: bundle}, []),
                            partial=partial, observed_at="2099-12-01T08:00:00Z")
    assert changes
    save_store(merged, project.data)


def withdraw_one(project: Project) -> tuple[str, str]:
    """A full import of one question of the newest survey without one CA owner's answer."""
    data = surveys_newest_first(load_store(project.data))[0]
    question = data.sorted_questions()[0]
    answers = {k: a for k, a in data.answers.items() if k[0] == question.id}
    gone = sorted(answers)[0]
    del answers[gone]
    _save(project, data, SurveyData(data.survey, {question.id: question}, answers), False)
    return gone


def add_back(project: Project, pair: tuple[str, str]) -> None:
    """A partial import answering that question again for that CA owner."""
    store = load_store(project.data)
    data = surveys_newest_first(store)[0]
    change = [c for c in data.history if (c.question_id, c.owner_key) == pair][-1]
    assert change.old is not None
    template = next(a for a in data.answers.values() if a.owner_key == pair[1])
    answer = replace(template, question_id=pair[0], values=change.old, option_numbers=(),
                     observed_at="2099-12-02T08:00:00Z")
    _save(project, data, SurveyData(data.survey, {pair[0]: data.questions[pair[0]]},
                                    {pair: answer}), True)


def reimport_from(project: Project, source: str) -> None:
    """A partial import of one question of the newest survey from another file: the
    question's source (shown on no page) and one answer's text and source change."""
    data = surveys_newest_first(load_store(project.data))[0]
    question = replace(data.sorted_questions()[0], source=source)
    key, answer = sorted((k, a) for k, a in data.answers.items() if k[0] == question.id)[0]
    edited = replace(answer, values=(f"{answer.values[0]} (from {source})",),
                     option_numbers=(), source=source)
    _save(project, data, SurveyData(data.survey, {question.id: question}, {key: edited}), True)


def check_step(project: Project, tmp_path: Path, rendered: Rendered,
               before: dict[str, bytes]) -> dict[str, bytes]:
    """Build incrementally; equal to a build from nothing; only what differs written."""
    report = build(project)
    assert gc.get_freeze_count() == 0  # nothing left frozen for the caller
    made = rendered.paths
    docs, site = from_nothing(project, tmp_path)
    after = files(docs)
    assert files(project.docs) == after
    assert diff_sites(project.site, site) == []
    differ = {p for p in before.keys() | after.keys()
              if before.get(p) != after.get(p) and not p.startswith(".")}
    assert differ, "the change changed nothing: the test would prove nothing"
    assert set(report.written) == differ
    pages = differ - {p for p in differ if p.startswith(("search/", "downloads/"))}
    assert pages <= made
    assert len(made) < report.pages / 2, "not an incremental render"
    return after


def test_changes_in_turn_equal_a_build_from_nothing(
        built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = Rendered(monkeypatch)
    before = files(built.docs)
    for suffix in (" (edited once)", " (edited twice)"):
        bench.change_one_answer(built.data, suffix)
        before = check_step(built, tmp_path, rendered, before)
    reimport_from(built, "exports/another-file.json")
    before = check_step(built, tmp_path, rendered, before)
    pair = withdraw_one(built)
    before = check_step(built, tmp_path, rendered, before)
    add_back(built, pair)
    check_step(built, tmp_path, rendered, before)


def test_a_back_dated_change_renders_every_changes_page_it_shifts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import observed before others puts its entry among older ones: the archive
    pages from its block to the newest show other entries, and only they are rendered
    with the answer's own pages (archive pages compared by their entries)."""
    from builder.publish.pages import changes

    monkeypatch.setattr(changes, "CHANGES_PER_PAGE", 3)  # 13 entries: no page added
    project = make_project(tmp_path / "p")
    write_demo(project.data, "small")
    build(project)
    rendered = Rendered(monkeypatch)
    before = files(project.docs)
    bench.change_one_answer(project.data, observed_at="2000-01-01T00:00:00Z")  # the oldest
    check_step(project, tmp_path, rendered, before)
    assert {p for p in rendered.paths if p.startswith("changes/page-")} == {
        p for p in files(project.docs) if p.startswith("changes/page-")}


def test_only_the_changed_surveys_answers_are_digested_again(
        built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    digested: list[str] = []
    real = touched.survey_digests

    def spy(data: SurveyData) -> dict[str, str]:
        digested.append(data.survey.key)
        return real(data)
    monkeypatch.setattr(touched, "survey_digests", spy)
    bench.change_one_answer(built.data)
    build(built)
    assert digested == [surveys_newest_first(load_store(built.data))[0].survey.key]
    digested.clear()
    build(built, full=True)  # a full build trusts no state
    assert len(digested) == len(load_store(built.data).surveys) > 1


def test_a_rebuild_with_no_change_reads_nothing(
        built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was read")
    monkeypatch.setattr(generate_module, "load_store", no_reading)
    report = build(built)
    assert report.site_step.reason == UNCHANGED and not report.mkdocs_ran
    assert report.written == [] and report.pages > 0
    for path in built.data.rglob("*.jsonl"):  # touched, not changed: hashed, still equal
        os.utime(path, ns=(1, 1))
    assert build(built).site_step.reason == UNCHANGED


NO_CHANGE_PROBE = """
import json, sys
from pathlib import Path
from builder.publish.build import build_site
root = Path(sys.argv[1])
report = build_site(root / "data", site_dir=root / "site", config_file=root / "mkdocs.yml",
                    docs_dir=root / "build-docs")
heavy = ("builder.publish.generate", "builder.publish.site_step", "builder.store.records",
         "builder.publish.pages", "builder.publish.opendata", "jinja2", "mkdocs",
         "importlib.metadata")
print(json.dumps({"action": report.site_step.action,
                  "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def test_a_rebuild_with_no_change_loads_no_reader_renderer_or_mkdocs(built: Project) -> None:
    """Known from the inputs alone, in a fresh process: the store's reader, the page makers,
    the downloads, Jinja and MkDocs are never imported (they were most of its time), nor
    importlib.metadata (the versions come from the names of their .dist-info folders)."""
    def probe() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", NO_CHANGE_PROBE, str(built.root)],
                              check=True, capture_output=True, text=True)
        out: dict[str, object] = json.loads(done.stdout)
        return out
    assert probe() == {"action": "skip", "loaded": []}
    bench.change_one_answer(built.data)
    assert probe() == {"action": "incremental", "loaded": [  # the probe sees them when used
        "builder.publish.generate", "builder.publish.opendata", "builder.publish.pages",
        "builder.publish.site_step", "builder.store.records", "importlib.metadata", "jinja2",
        "mkdocs"]}  # importlib.metadata: MkDocs finds its plugins with it


FORK_PROBE = """
import json, sys
from pathlib import Path
from builder.publish import generate
from builder.publish.build import build_site
root, out = Path(sys.argv[1]), Path(sys.argv[2])
background = generate._background

def watched(*args, **kwargs):
    try:
        return background(*args, **kwargs)
    finally:  # in the downloads' process: what it was forked with, and what it imported
        out.write_text(json.dumps(sorted(m for m in ("jinja2", "builder.publish.pages",
                                                       "builder.publish.steps")
                                         if m in sys.modules)))
generate._background = watched
report = build_site(root / "data", site_dir=root / "site", config_file=root / "mkdocs.yml",
                    docs_dir=root / "build-docs")
print(report.site_step.action)
"""


def test_the_downloads_process_of_a_change_never_loads_the_page_makers(
        built: Project, tmp_path: Path) -> None:
    """Forked as soon as the store is read, before the page makers and Jinja are
    imported, and it makes the search index without them: they are a tenth of a second
    of a one-change build, on the path of the process that renders pages, not of this
    one."""
    bench.change_one_answer(built.data)
    out = tmp_path / "child.json"
    done = subprocess.run([sys.executable, "-c", FORK_PROBE, str(built.root), str(out)],
                          check=True, capture_output=True, text=True)
    assert done.stdout.split() == ["incremental"]
    assert json.loads(out.read_text()) == []


@pytest.mark.parametrize("change", ["data", "template", "handwritten", "site", "full"])
def test_anything_read_that_changed_means_a_build(built: Project, change: str) -> None:
    if change == "data":
        bench.change_one_answer(built.data)
    elif change == "template":
        template = next((built.root / "site_templates").glob("*.md*"))
        template.write_text(template.read_text() + "\n{# a comment #}\n")
    elif change == "handwritten":
        page = built.handwritten / "about.md"
        page.write_text(page.read_text() + "\nOne more line.\n")
    elif change == "site":  # gone, or replaced by another build: its stamp is not the one
        shutil.rmtree(built.site)
    report = build(built, full=change == "full")
    assert report.site_step.reason != UNCHANGED
    assert report.timings.get("load") is not None
    if change == "site":
        assert (built.site / "index.html").is_file()


def test_a_state_of_no_use_renders_everything(
        built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = Rendered(monkeypatch)
    (built.docs / touched.STATE).write_text("{not json")
    inputs.forget(built.docs)
    report = build(built)
    assert len(rendered.paths) == report.pages and report.written == []
    victim = sorted(p for p in rendered.paths if p.endswith(".md"))[0]
    (built.docs / victim).unlink()
    bench.change_one_answer(built.data)
    build(built)
    assert victim in rendered.paths and (built.docs / victim).is_file()


def test_a_failure_of_the_downloads_process_fails_the_build(
        built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise BuildFailed("the downloads could not be written")
    monkeypatch.setattr(generate_module, "write_downloads", broken)
    site = files(built.site)
    bench.change_one_answer(built.data)
    with pytest.raises(BuildFailed, match="the downloads could not be written"):
        build(built)
    assert files(built.site) == site
    assert not (built.docs / inputs.RECORD).exists()


def test_compiled_templates_are_kept_and_never_outlive_their_source(built: Project) -> None:
    """Ours and the theme's, in the work folder's template cache (Jinja compares each
    with its source): an edited template shows at once, in a full and an incremental
    site step alike."""
    from builder.publish.workdir import TEMPLATE_CACHE

    cache = built.docs / TEMPLATE_CACHE
    assert len(list(cache.iterdir())) > 5
    assert not (built.site / TEMPLATE_CACHE).exists()
    home = built.root / "site_templates" / "home.md.j2"
    home.write_text(home.read_text() + "\n<p>Marker from an edited template.</p>\n")
    theme = built.root / "overrides" / "main.html"
    theme.write_text(theme.read_text().replace("{% extends", "<!-- theme marker -->{% extends",
                                               1))
    build(built)
    assert "Marker from an edited template." in (built.docs / "index.md").read_text()
    assert "Marker from an edited template." in (built.site / "index.html").read_text()
    assert "<!-- theme marker -->" in (built.site / "index.html").read_text()
    theme.write_text(theme.read_text().replace("<!-- theme marker -->", "<!-- marker 2 -->"))
    bench.change_one_answer(built.data)
    report = build(built)
    assert report.site_step.action == "full"  # the theme is part of the site's stamp
    assert "<!-- marker 2 -->" in (built.site / "index.html").read_text()


def test_pages_are_written_as_made_and_a_build_cut_short_leaves_no_stray_page(
        built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page is written as it is rendered (never all held); one cut short leaves its
    pages listed in the manifest, so the next build is still equal to one from nothing."""
    real = steps.iter_site

    def cut_short(*args: object, **kwargs: object) -> Iterator[tuple[str, str]]:
        for n, item in enumerate(real(*args, **kwargs)):  # type: ignore[arg-type]
            if n == 3:
                raise BuildFailed("cut short")
            yield item
    monkeypatch.setattr(steps, "iter_site", cut_short)
    site = files(built.site)
    bench.change_one_answer(built.data)
    with pytest.raises(BuildFailed, match="cut short"):
        build(built, full=True)  # every page rendered
    assert files(built.site) == site
    monkeypatch.setattr(steps, "iter_site", real)
    build(built)
    docs, fresh = from_nothing(built, tmp_path)
    assert files(built.docs) == files(docs) and diff_sites(built.site, fresh) == []


def test_a_hand_written_page_at_a_generated_path_fails_before_anything_is_written(
        built: Project) -> None:
    (built.handwritten / "owners").mkdir(exist_ok=True)
    (built.handwritten / "owners" / "index.md").write_text("# Mine\n")
    docs, site = files(built.docs), files(built.site)
    with pytest.raises(BuildFailed, match="owners/index.md: a hand-written page has the path"):
        build(built)
    assert gc.get_freeze_count() == 0  # the store, frozen while pages are made, let go
    assert files(built.site) == site
    assert {k: v for k, v in files(built.docs).items() if not k.startswith(".")} == {
        k: v for k, v in docs.items() if not k.startswith(".")}


def test_the_work_folders_hashes_are_made_again_only_for_files_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.publish import stamp

    (tmp_path / "a.md").write_text("one")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("two")
    hashed: list[str] = []
    real = stamp.hashlib.file_digest

    def counting(handle: Any, digest: str) -> Any:
        hashed.append(handle.name)
        return real(handle, digest)
    monkeypatch.setattr(stamp.hashlib, "file_digest", counting)
    first = stamp.work_files(tmp_path)
    assert len(hashed) == 2 and (tmp_path / HASHES).is_file()
    hashed.clear()
    assert stamp.work_files(tmp_path) == first and hashed == []
    (tmp_path / "a.md").write_text("uno")
    second = stamp.work_files(tmp_path)
    assert hashed == [str(tmp_path / "a.md")] and second["a.md"] != first["a.md"]
    (tmp_path / HASHES).write_text('{"a.md": [1, 2, 3, "not a hash"]')  # broken: ignored
    hashed.clear()
    assert stamp.work_files(tmp_path) == second and len(hashed) == 2


def test_installed_versions_are_those_importlib_metadata_finds(tmp_path: Path) -> None:
    import importlib.metadata

    from builder.publish.stamp import SITE_PACKAGES, installed_version, versions

    assert versions().splitlines() == [f"{name} {importlib.metadata.version(name)}"
                                       for name in SITE_PACKAGES]
    (tmp_path / "Some_Theme-2.0.1.dist-info").mkdir()  # as an older pip spelled it
    (tmp_path / "some_theme_extras-9.dist-info").mkdir()
    (tmp_path / "some_theme-not-a-version.dist-info").mkdir()
    path = [str(tmp_path / "missing"), str(tmp_path)]
    assert installed_version("some-theme", path) == "2.0.1"
    assert installed_version("some.theme_extras", path) == "9"
    assert installed_version("no-such-distribution-here", path) is None
