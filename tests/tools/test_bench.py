"""`builder bench` (issue 9) and what it holds the build to: a rebuild with no change
writes nothing and skips MkDocs, templates and theme overrides invalidate the site,
one changed answer rewrites only the pages that show it. No timing is asserted here:
timings belong to the benchmark, not to tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builder.publish.build import TEMPLATES_DIR, build_site
from builder.publish.pages.template import fast_rel
from builder.publish.paths import owner_page, question_page, rel, survey_page
from builder.store.records import load_store, survey_dir_name
from builder.tools.bench import CHANGE_SUFFIX, change_one_answer
from builder.tools.demo import write_demo
from conftest import ROOT, Project, make_project


def build(project: Project, templates: Path = TEMPLATES_DIR):
    return build_site(project.data, docs_dir=project.docs, site_dir=project.site,
                      config_file=project.config, templates_dir=templates)


@pytest.fixture(scope="module")
def bench_result(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    from click.testing import CliRunner

    from builder.cli import main

    out = tmp_path_factory.mktemp("bench") / "bench-small.json"
    result = CliRunner().invoke(main, ["bench", "--size", "small", "--repeat", "1",
                                       "--json", str(out), "--config",
                                       str(ROOT / "mkdocs.yml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8")), result.output


def test_bench_small_reports_every_figure(bench_result: tuple[dict, str]) -> None:
    result, output = bench_result
    assert result["size"] == "small" and result["runs"] == 1
    assert result["dataset"]["answers"] > 100 and result["dataset"]["owners"] == 8
    assert result["pages"] > 30
    seconds, build = result["seconds"], result["seconds"]["build"]
    # The whole dataset as one export in each import layout, the same records in both.
    assert result["exports"]["csv"]["records"] == result["exports"]["json"]["records"] > 100
    for figures in (seconds["import_csv"], seconds["import_json"]):
        assert 0 < figures["min"] <= figures["median"] <= figures["max"]
    for figures in (seconds["import"], seconds["load_store"], seconds["builder"],
                    *(build[part] for part in ("load", "pages", "downloads", "write",
                                               "fingerprint", "mkdocs", "total"))):
        assert 0 <= figures["min"] <= figures["median"] <= figures["max"]
    assert build["pages"]["median"] > 0 and build["mkdocs"]["median"] > 0
    assert build["total"]["median"] >= build["mkdocs"]["median"] + build["pages"]["median"]
    for stage in ("import", "import_csv", "import_json", "load_store", "builder", "mkdocs",
                  "build"):
        assert result["peak_rss_bytes"][stage] > 1 << 20, stage
    assert 0 < result["builder_share"] < 1
    site = result["site"]
    assert site["site_bytes"] > 0 and site["html_pages"] > 30
    assert site["largest_page"].endswith(".html") and site["largest_page_bytes"] > 0
    unchanged = result["rebuilds"]["unchanged"]
    assert unchanged["files_written"] == 0 and unchanged["mkdocs_ran"] is False
    one = result["rebuilds"]["one_change"]
    assert one["mkdocs_ran"] is True and one["files_written"] == len(one["written"]) > 0
    assert one["timings"]["mkdocs"]["median"] > 0
    assert result["targets"]["unchanged_rebuild_writes_nothing"]["met"] is True
    assert result["environment"]["cpus"] >= 1
    assert len(result["environment"]["load_average_before"]) == 3
    for words in ("import + validate", "import the ccadb-csv export (",
                  "import the json export (", "load_store", "render pages", "render downloads",
                  "mkdocs build", "builder share", "search index", "rebuild, no change",
                  "rebuild, one answer changed"):
        assert words in output


def test_one_changed_answer_rewrites_only_the_pages_that_show_it(
        bench_result: tuple[dict, str]) -> None:
    one = json.loads(json.dumps(bench_result[0]["rebuilds"]["one_change"]))
    written = set(one["written"])
    change = one["changed"]
    survey = next(p for p in written if p.startswith("surveys/") and p.endswith("/index.md"))
    folder = survey.rsplit("/", 1)[0]
    assert f"{folder}/{change['question'].lower()}.md" in written
    owners = [p for p in written if p.startswith("owners/")]
    assert len(owners) == 1  # the owner whose answer changed, no other
    questions = [p for p in written if p.startswith("surveys/") and p.count("/") == 2
                 and p.rsplit("/", 1)[1].startswith("q")]
    assert questions == [f"{folder}/{change['question'].lower()}.md"]
    assert not [p for p in written if p.startswith("compare/data/") and folder.split("/")[1]
                not in p]
    assert not [p for p in written if p.startswith("feeds/owners/")
                and p.split("/")[-1].removesuffix(".xml") != owners[0].split("/")[1][:-3]]
    assert "surveys/index.md" not in written and "owners/index.md" not in written


def test_templates_and_theme_overrides_invalidate_the_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    write_demo(project.data, "small")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    first = build(project, templates)
    assert first.mkdocs_ran
    again = build(project, templates)
    assert again.written == [] and not again.mkdocs_ran

    # A template change that does not change any page: nothing to do.
    owners = templates / "owners.md.j2"
    owners.write_text("{# a comment #}\n" + owners.read_text(encoding="utf-8"), "utf-8")
    quiet = build(project, templates)
    assert quiet.written == [] and not quiet.mkdocs_ran

    # A template change that changes pages: those pages are rewritten and MkDocs runs.
    owners.write_text(owners.read_text(encoding="utf-8") + "\n<p>Template edited.</p>\n",
                      "utf-8")
    edited = build(project, templates)
    assert edited.written == ["owners/index.md"] and edited.mkdocs_ran
    assert "Template edited." in (project.site / "owners" / "index.html").read_text("utf-8")

    # The theme overrides are read by MkDocs, not by the builder: they count too.
    main_html = project.root / "overrides" / "main.html"
    text = main_html.read_text(encoding="utf-8")
    assert "{{ super() }}" in text
    main_html.write_text(text.replace("{{ super() }}", '{{ super() }}<meta name="x-edited">'),
                         "utf-8")
    themed = build(project, templates)
    assert themed.written == [] and themed.mkdocs_ran
    assert '<meta name="x-edited">' in (project.site / "index.html").read_text("utf-8")


def test_change_one_answer_goes_through_the_merge_code(tmp_path: Path) -> None:
    write_demo(tmp_path, "small")
    before = load_store(tmp_path)
    change = change_one_answer(tmp_path)
    after = load_store(tmp_path)
    assert change["changes"] == 1
    assert sorted(change["data_files_written"]) == sorted(
        f"surveys/{d}/{f}" for d in [next(survey_dir_name(k) for k, s in after.surveys.items()
                                          if s.survey.title == change["survey"])]
        for f in ("answers.jsonl", "history.jsonl"))
    edited = [a for d in after.surveys.values() for a in d.answers.values()
              if a.values[0].endswith(CHANGE_SUFFIX)]
    assert len(edited) == 1 and edited[0].question_id == change["question"]
    data = after.surveys[edited[0].survey_key]
    assert data.history[-1].kind == "changed" and data.history[-1].new == edited[0].values
    assert sum(len(d.history) for d in after.surveys.values()) == sum(
        len(d.history) for d in before.surveys.values()) + 1


def test_fast_relative_links_equal_pages_rel(tmp_path: Path) -> None:
    write_demo(tmp_path, "small")
    store = load_store(tmp_path)
    pages = ["index.md", "surveys/index.md", "owners/index.md", "changes/index.md",
             "changes/page-2.md", "compare/index.md", "about.md"]
    for key, data in store.surveys.items():
        pages.append(survey_page(key))
        pages.append(f"surveys/{survey_dir_name(key)}/changes.md")
        pages += [question_page(key, q) for q in data.questions]
        pages += [owner_page(a.owner_key) for a in data.answers.values()]
    targets = pages + ["feeds/all.xml", "compare/data/index.json", "assets/site.css",
                       "downloads/answers.csv", "./odd/../path.md", "a//b.md"]
    for from_page in sorted(set(pages)):
        for to in sorted(set(targets)):
            assert fast_rel(from_page, to) == rel(from_page, to), (from_page, to)
