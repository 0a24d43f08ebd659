"""`builder bench` (issues 9 and 16): on the small demo it runs, its JSON has every
figure, it prints every target with met / not met; and what it holds the build to (a
rebuild with no change writes nothing and skips MkDocs, templates and theme overrides
invalidate the site). No timing is asserted here: timings belong to the benchmark."""

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


TARGET_NAMES = (
    "one changed answer, json import to published site",
    "one changed answer, ccadb-csv import to published site",
    "site after the changes identical to a full build",
    "full build at most 40% of today's",
    "full build no slower than mkdocs build alone on today's pages",
    "no-change rebuild at most 5% of a full build",
    "peak memory of every process under 1 GiB",
    "time and site size linear from realistic to large (x10 data)",
    "site at most 60 MB",
    "search downloads for one name query",
    "search downloads for one phrase query",
    "json import within 1.5x the time of the same records as csv",
)
"""Every target of issue #16, in the order the benchmark prints them."""


def _spread_ok(figures: dict, floor: float = 0) -> None:
    assert floor <= figures["min"] <= figures["median"] <= figures["max"]


def test_bench_small_reports_every_figure(bench_result: tuple[dict, str]) -> None:
    result, _output = bench_result
    assert result["size"] == "small" and result["runs"] == 1
    assert result["dataset"]["answers"] > 100 and result["dataset"]["owners"] == 8
    assert result["pages"] > 30
    # Measured as installed: the byte code of the code measured was written first.
    assert result["environment"]["byte_code"] == {"this code": "compiled before the runs"}
    assert "byte code: this code compiled before the runs" in _output
    seconds = result["seconds"]
    # The whole dataset as one export in each import layout, the same records in both.
    assert result["exports"]["csv"]["records"] == result["exports"]["json"]["records"] > 100
    for key in ("demo", "import_csv", "import_json", "load", "full_build", "no_change",
                "mkdocs_alone"):
        _spread_ok(seconds[key], floor=1e-9)
    for part in ("load", "downloads", "pages", "write", "mkdocs", "total"):
        _spread_ok(result["full_build"][part])
    assert result["full_build"]["total"]["median"] >= result["full_build"]["mkdocs"]["median"]
    for stage in ("import_csv", "import_json", "load", "full_build", "no_change", "mkdocs",
                  "change_json_import", "change_json_build", "change_csv_import",
                  "change_csv_build", "withdrawn_import", "withdrawn_build", "added_import",
                  "added_build"):
        assert result["peak_rss_bytes"][stage] > 1 << 20, stage
    site = result["site"]
    assert site["site_bytes"] > site["downloads_bytes"] > 0 and site["html_pages"] > 30
    assert site["downloads_files"] > 0 and site["largest_page"].endswith(".html")
    assert site["search_index_gzip_bytes"] > 0
    assert result["rebuilds"]["no_change"]["files_written"] == 0
    assert result["rebuilds"]["no_change"]["site_step"] == "skip"
    for kind in ("name", "phrase"):  # Chromium is installed where the suite runs
        query = result["search"]["queries"][kind]
        assert query["requests"] > 0 and 0 < query["gzip_bytes"] < query["raw_bytes"]
    assert result["search"]["queries"]["name"]["query"] == result["changed_answer"]["owner"]
    assert result["identical"]["differing_files"] == 0, result["identical"]["differences"]
    assert result["environment"]["cpus"] >= 1
    assert len(result["environment"]["load_average_before"]) == 3


def test_the_import_path_publishes_each_change(bench_result: tuple[dict, str]) -> None:
    """Each step is one `builder import` of a real export file (one answer away from the
    store) and one `builder build`, and the build publishes it."""
    paths = bench_result[0]["change_path"]
    assert sorted(paths) == ["added", "change_csv", "change_json", "withdrawn"]
    assert {s: paths[s]["changes"] for s in paths} == {
        "change_json": ["changed"], "change_csv": ["changed"], "withdrawn": ["withdrawn"],
        "added": ["added"]}
    for path in paths.values():
        assert path["site_step"] != "skip" and path["files_written"] > 0
        _spread_ok(path["import"], floor=1e-9)
        _spread_ok(path["build"], floor=1e-9)
        assert path["seconds"]["median"] == pytest.approx(
            path["import"]["median"] + path["build"]["median"])
        assert path["process_seconds"]["median"] > path["seconds"]["median"]
    assert paths["change_json"]["records"] == paths["withdrawn"]["records"] + 1


def test_every_target_is_printed_with_met_or_not(bench_result: tuple[dict, str]) -> None:
    result, output = bench_result
    assert [t["name"] for t in result["targets"]] == list(TARGET_NAMES)
    lines = output.splitlines()
    for target in result["targets"]:
        line = next(line for line in lines if f" {target['name']}: " in line)
        state = {True: "met ", False: "NOT MET ", None: "not measured "}[target["met"]] \
            if target["applies"] else "n/a "
        assert line.lstrip().startswith(state), line
        assert target["limit"] > 0 or target["unit"] == "files"
    # Without --baseline the scale is not measured, and the line says why. A limit in
    # absolute terms for the realistic size is shown at the small size, not checked.
    missing = [t["name"] for t in result["targets"] if t["value"] is None]
    assert missing == ["time and site size linear from realistic to large (x10 data)"]
    assert "give --baseline" in next(t["note"] for t in result["targets"]
                                     if t["value"] is None)
    elsewhere = [t["name"] for t in result["targets"] if not t["applies"]]
    assert elsewhere == [TARGET_NAMES[3], TARGET_NAMES[4], TARGET_NAMES[8]]
    assert all(t["met"] is None and "this run is small" in t["note"]
               for t in result["targets"] if not t["applies"])
    # Today's code builds side by side at the realistic size only, unless asked for
    # (tests/tools/test_bench_today.py runs it); then the 40% target falls back.
    assert result["today_build"]["skipped"] == "not asked for at the small size (--today)"
    assert "today's code, full build: not run (not asked for" in output
    full = next(t for t in result["targets"] if t["name"] == TARGET_NAMES[3])
    assert "today's code not run side by side (not asked for" in full["note"]
    identical = next(t for t in result["targets"] if t["name"] == TARGET_NAMES[2])
    assert identical["met"] is True and identical["value"] == 0
    for words in ("import the ccadb-csv export (", "import the json export (", "load_store",
                  "mkdocs build alone", "no-change rebuild", "one answer withdrawn",
                  "one answer added", "search, one query", "of which downloads"):
        assert words in output


def test_a_baseline_gives_the_scale(bench_result: tuple[dict, str]) -> None:
    from builder.tools.bench.run import compare_scale
    from builder.tools.bench.targets import check_targets

    result = json.loads(json.dumps(bench_result[0]))
    result["scale"] = compare_scale(result, bench_result[0])
    scale = next(t for t in check_targets(result) if t["name"] == TARGET_NAMES[7])
    assert scale["met"] is True and scale["value"] == pytest.approx(1.0)


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


def test_the_bench_writes_the_byte_code_of_the_code_it_measures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `pip install` does, even where PYTHONDONTWRITEBYTECODE is set; a module that
    cannot be compiled is a reason in the result, not a failed run."""
    import sys

    from builder.tools.bench.project import compile_code

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    (tmp_path / "builder" / "publish").mkdir(parents=True)
    (tmp_path / "builder" / "publish" / "build.py").write_text("X = 1\n")
    assert compile_code(tmp_path) is None
    assert (tmp_path / "builder" / "publish" / "__pycache__" /
            f"build.{sys.implementation.cache_tag}.pyc").is_file()
    (tmp_path / "builder" / "broken.py").write_text("def (:\n")
    assert compile_code(tmp_path) == \
        f"{tmp_path / 'builder'}: not every module's byte code could be written"
