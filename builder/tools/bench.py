"""`builder bench`: measure the build on the demo dataset and hold it to its targets.

A benchmark, not a test: it generates the demo dataset of one size in a temporary
folder and runs every stage of the build in its own Python process, so that each
stage's peak memory (the process's peak resident set size) is its own and not left
over from an earlier stage. Each run goes:

    import    write_demo: every submission goes through the import merge code
    exports   the whole dataset as one ccadb-csv and one json export (not timed)
    csv, json each export imported into an empty store (`builder import`'s pipeline)
    load      load_store: read + validate the store
    build     build_site from nothing: load, render, write docs/, mkdocs build
    rebuild   build_site again, nothing changed (expected: no file written, MkDocs skipped)
    mkdocs    mkdocs build alone on the generated docs/ (its own peak memory)
    change    one answer re-submitted through the merge code (as an import would)
    rebuild   build_site after that change: which files the builder rewrote

With --repeat N the figures are medians of N runs. The result is a table and a JSON
document (see docs/performance.md for what the figures mean and the measured values).
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from builder.core.clock import utc_text
from builder.core.errors import BuilderError
from builder.store.records import writes_store

SIZES = ("small", "realistic", "large")
CHANGE_OBSERVED_AT = "2099-01-01T00:00:00Z"
CHANGE_SOURCE = "demo://benchmark/one-changed-answer"
CHANGE_SUFFIX = " (edited for the benchmark)"
TARGETS = {
    "builder_share_max": 0.10,         # realistic: everything but mkdocs build, of the total
    "peak_memory_max": 1 << 30,        # large: every stage under 1 GiB
    "search_index_gzip_max": 2 << 20,  # realistic: 2 MiB gzip
    "scale_max": 11.0,                 # realistic -> large (10x): time and site size
}


# -- the stages, each run in a child process ----------------------------------------

def _peak_rss_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


@writes_store
def change_one_answer(data_dir: Path) -> dict[str, Any]:
    """Re-submit one free-text answer of the newest survey, edited, as a partial import.

    Deterministic: the first free-text question (not a COMMENTS one) of the newest
    survey, and the first CA owner (by key) with a non-blank answer to it.
    """
    from builder.core.comments import is_comments
    from builder.core.model import FREE_TEXT, SurveyData, is_blank
    from builder.ingest.merge import merge
    from builder.ingest.validate import ImportBundle
    from builder.publish.paths import surveys_newest_first
    from builder.store.records import load_store, save_store

    store = load_store(data_dir)
    for data in surveys_newest_first(store):
        for question in data.sorted_questions():
            if question.type != FREE_TEXT or is_comments(question.text):
                continue
            answers = sorted((a for a in data.answers.values()
                              if a.question_id == question.id and not is_blank(a.values)),
                             key=lambda a: a.owner_key)
            if not answers:
                continue
            old = answers[0]
            new = replace(old, values=(old.values[0] + CHANGE_SUFFIX,), option_numbers=(),
                          source=CHANGE_SOURCE, observed_at=CHANGE_OBSERVED_AT)
            bundle = SurveyData(data.survey, {question.id: question},
                                {(question.id, old.owner_key): new})
            merged, changes = merge(store, ImportBundle({data.survey.key: bundle}, []),
                                    partial=True, observed_at=CHANGE_OBSERVED_AT)
            written = save_store(merged, data_dir)
            return {"survey": data.survey.title, "question": question.id,
                    "owner": old.owner_name, "changes": len(changes),
                    "data_files_written": written}
    raise BuilderError("the demo dataset has no free-text answer to change")


EXPORTS = {"import_csv": "csv", "import_json": "json"}
"""The import of the whole dataset as one export, per layout: the open-data download
answers.csv / answers.json, which is written in the ccadb-csv / json import layouts."""


def write_exports(data_dir: Path, target: Path) -> dict[str, Any]:
    from builder.publish.opendata.produce import render_downloads
    from builder.store.records import load_store

    files = render_downloads(load_store(data_dir))
    target.mkdir(parents=True, exist_ok=True)
    for suffix in EXPORTS.values():  # published gzipped: an import reads the plain file
        (target / f"answers.{suffix}").write_bytes(
            gzip.decompress(files[f"downloads/answers.{suffix}.gz"]))
    return {}


def import_export(export: Path, data_dir: Path) -> dict[str, Any]:
    """Import one export file into an empty store, as `builder import FILE` does."""
    from builder.ingest.formats import Format, LoadOptions
    from builder.ingest.importer import import_source

    shutil.rmtree(data_dir, ignore_errors=True)
    fmt = Format.JSON if export.suffix == ".json" else Format.CCADB_CSV
    start = time.perf_counter()
    result = import_source(str(export), data_dir, LoadOptions(fmt))
    seconds = time.perf_counter() - start
    shutil.rmtree(data_dir)
    return {"seconds": seconds, "records": len(result.export.records),
            "bytes": export.stat().st_size}


def _stage(name: str, root: Path, size: str) -> dict[str, Any]:
    """Run one stage in this process; returns its figures (time measured here)."""
    from builder.publish.build import build_site, run_mkdocs

    data, docs, site, config = root / "data", root / "docs", root / "site", root / "mkdocs.yml"
    out: dict[str, Any] = {}
    start = time.perf_counter()
    if name == "import":
        from builder.tools.demo import write_demo

        summary = write_demo(data, size)
        out.update(surveys=summary.surveys, owners=summary.owners,
                   questions=summary.questions, answers=summary.answers,
                   changes=summary.changes)
    elif name == "exports":
        out.update(write_exports(data, root / "exports"))
    elif name in EXPORTS:
        out.update(import_export(root / "exports" / f"answers.{EXPORTS[name]}",
                                 root / f"store-{name}"))
    elif name == "load":
        from builder.store.records import load_store

        store = load_store(data)
        out["answers"] = sum(len(d.answers) for d in store.surveys.values())
    elif name in ("build", "rebuild"):
        report = build_site(data, docs_dir=docs, site_dir=site, config_file=config)
        out.update(pages=report.pages, written=report.written, removed=report.removed,
                   mkdocs_ran=report.mkdocs_ran, timings=report.timings)
    elif name == "mkdocs":
        target = root / "mkdocs-only"
        run_mkdocs(config, docs, target)
        out["seconds"] = time.perf_counter() - start
        shutil.rmtree(target, ignore_errors=True)
    elif name == "change":
        out.update(change_one_answer(data))
    else:
        raise BuilderError(f"unknown benchmark stage {name!r}")
    out.setdefault("seconds", time.perf_counter() - start)
    out["peak_rss_bytes"] = _peak_rss_bytes()
    return out


def _run_child(name: str, root: Path, size: str) -> dict[str, Any]:
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH"))
                                        if p)
    proc = subprocess.run([sys.executable, "-m", "builder.tools.bench", name, str(root), size],
                          capture_output=True, text=True, env=env, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise BuilderError(f"benchmark stage {name} failed (exit {proc.returncode}):\n"
                           f"{proc.stderr.strip()[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- setting up a project copy and measuring the site -----------------------------------

def _config_dir(config_file: Path, key: str, default: str | None) -> str | None:
    """A folder setting of mkdocs.yml (docs_dir, theme custom_dir), read without YAML tags."""
    match = re.search(rf"^\s*{key}:\s*['\"]?([^'\"#\s]+)", config_file.read_text("utf-8"),
                      re.MULTILINE)
    return match.group(1) if match else default


def make_project(root: Path, config_file: Path) -> None:
    """mkdocs.yml, the templates, the theme overrides and the hand-written pages, copied
    into root (the builder then assembles each build in root/docs as its work folder)."""
    from builder.publish.build import handwritten_pages

    config_file = config_file.resolve()
    if not config_file.is_file():
        raise BuilderError(f"{config_file}: MkDocs configuration not found")
    base = config_file.parent
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(config_file, root / "mkdocs.yml")
    custom = _config_dir(config_file, "custom_dir", None)
    if custom and (base / custom).is_dir():
        shutil.copytree(base / custom, root / custom)
    if (base / "site_templates").is_dir():
        shutil.copytree(base / "site_templates", root / "site_templates")
    docs = base / (_config_dir(config_file, "docs_dir", "docs") or "docs")
    for rel, data in handwritten_pages(docs).items():
        (root / "handwritten" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "handwritten" / rel).write_bytes(data)
    text, found = re.subn(r"^docs_dir:.*$", "docs_dir: handwritten",
                          (root / "mkdocs.yml").read_text("utf-8"), flags=re.MULTILINE)
    (root / "mkdocs.yml").write_text(text if found else text + "\ndocs_dir: handwritten\n",
                                     "utf-8")


def site_metrics(site_dir: Path) -> dict[str, Any]:
    files = [p for p in site_dir.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    largest = max(pages, key=lambda p: p.stat().st_size) if pages else None
    index = sorted((site_dir / "search").rglob("*.json"))  # builder/publish/search
    return {
        "site_bytes": sum(p.stat().st_size for p in files),
        "site_files": len(files),
        "html_pages": len(pages),
        "largest_page": largest.relative_to(site_dir).as_posix() if largest else None,
        "largest_page_bytes": largest.stat().st_size if largest else 0,
        "search_index_bytes": sum(p.stat().st_size for p in index),
        "search_index_gzip_bytes": sum(len(gzip.compress(p.read_bytes(), compresslevel=6,
                                                         mtime=0)) for p in index),
    }


# -- the benchmark ---------------------------------------------------------------------

def _one_run(root: Path, size: str, note: Callable[[str], None]) -> dict[str, Any]:
    run: dict[str, Any] = {}
    for key, stage in (("import", "import"), ("exports", "exports"),
                       ("import_csv", "import_csv"), ("import_json", "import_json"),
                       ("load", "load"), ("build", "build"),
                       ("rebuild_unchanged", "rebuild"), ("mkdocs", "mkdocs"),
                       ("change", "change"), ("rebuild_one_change", "rebuild")):
        note(f"  {key} ...")
        run[key] = _run_child(stage, root, size)
        note(f"  {key}: {run[key]['seconds']:.2f} s, "
             f"peak {run[key]['peak_rss_bytes'] / 2**20:.0f} MiB")
        if key == "build":
            run["site"] = site_metrics(root / "site")
    return run


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


BUILD_PARTS = ("load", "pages", "downloads", "write", "fingerprint", "mkdocs", "total")
"""build_site's timings: load_store, render the pages, render the downloads, write
docs/, hash docs/ (to skip MkDocs when nothing changed), mkdocs build, in all."""


def _build_times(runs: list[dict[str, Any]], stage: str) -> dict[str, dict[str, float]]:
    return {part: _spread([r[stage]["timings"].get(part, 0.0) for r in runs])
            for part in BUILD_PARTS}


def _targets(size: str, runs: list[dict[str, Any]], share: float, peak: float,
             site: dict[str, Any]) -> dict[str, dict[str, Any]]:
    quiet = all(not r["rebuild_unchanged"]["written"] and not r["rebuild_unchanged"]["removed"]
                and not r["rebuild_unchanged"]["mkdocs_ran"] for r in runs)
    return {
        "unchanged_rebuild_writes_nothing": {
            "met": quiet, "applies": True,
            "value": len(runs[0]["rebuild_unchanged"]["written"])},
        "builder_share_at_most_10_percent": {
            "met": share <= TARGETS["builder_share_max"], "value": share,
            "applies": size == "realistic"},
        "search_index_gzip_under_2_mib": {
            "met": site["search_index_gzip_bytes"] < TARGETS["search_index_gzip_max"],
            "value": site["search_index_gzip_bytes"], "applies": size == "realistic"},
        "peak_memory_under_1_gib": {
            "met": peak < TARGETS["peak_memory_max"], "value": peak,
            "applies": size == "large"},
    }


def summarize(size: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs, the target checks, and every run's own figures."""
    def peak(stage: str) -> float:
        value: float = statistics.median([r[stage]["peak_rss_bytes"] for r in runs])
        return value

    build = _build_times(runs, "build")
    share = statistics.median([1 - r["build"]["timings"].get("mkdocs", 0.0)
                               / r["build"]["timings"]["total"] for r in runs])
    memory = {"import": peak("import"), "import_csv": peak("import_csv"),
              "import_json": peak("import_json"), "load_store": peak("load"),
              "builder": peak("rebuild_unchanged"), "mkdocs": peak("mkdocs"),
              "build": peak("build")}
    first = runs[0]
    one = first["rebuild_one_change"]
    return {
        "size": size, "runs": len(runs),
        "dataset": {k: first["import"][k] for k in ("surveys", "owners", "questions",
                                                    "answers", "changes")},
        "pages": first["build"]["pages"],
        "exports": {EXPORTS[k]: {"records": first[k]["records"], "bytes": first[k]["bytes"]}
                    for k in EXPORTS},
        "seconds": {"import": _spread([r["import"]["seconds"] for r in runs]),
                    **{k: _spread([r[k]["seconds"] for r in runs]) for k in EXPORTS},
                    "load_store": _spread([r["load"]["seconds"] for r in runs]),
                    "mkdocs_alone": _spread([r["mkdocs"]["seconds"] for r in runs]),
                    "build": build,
                    "builder": _spread([r["build"]["timings"]["total"]
                                        - r["build"]["timings"].get("mkdocs", 0.0)
                                        for r in runs])},
        "builder_share": share,
        "peak_rss_bytes": memory,
        "site": first["site"],
        "rebuilds": {
            "unchanged": {
                "seconds": _spread([r["rebuild_unchanged"]["seconds"] for r in runs]),
                "files_written": len(first["rebuild_unchanged"]["written"]),
                "files_removed": len(first["rebuild_unchanged"]["removed"]),
                "mkdocs_ran": first["rebuild_unchanged"]["mkdocs_ran"]},
            "one_change": {
                "seconds": _spread([r["rebuild_one_change"]["seconds"] for r in runs]),
                "timings": _build_times(runs, "rebuild_one_change"),
                "files_written": len(one["written"]), "files_removed": len(one["removed"]),
                "written": one["written"], "removed": one["removed"],
                "mkdocs_ran": one["mkdocs_ran"], "changed": first["change"]}},
        "targets": _targets(size, runs, share, max(memory.values()), first["site"]),
        "raw": runs,
    }


def environment(load_before: tuple[float, ...]) -> dict[str, Any]:
    import importlib.metadata as md

    def version(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "mkdocs": version("mkdocs"),
            "mkdocs_material": version("mkdocs-material"),
            "load_average_before": list(load_before),
            "load_average_after": list(os.getloadavg()),
            "date": utc_text()}


def compare_scale(result: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Ratios of this result to a smaller baseline run (e.g. large / realistic)."""
    def ratio(get: Callable[[dict[str, Any]], float]) -> float:
        return get(result) / get(baseline)

    ratios = {
        "answers": ratio(lambda r: r["dataset"]["answers"]),
        "total_time": ratio(lambda r: r["seconds"]["build"]["total"]["median"]),
        "builder_time": ratio(lambda r: r["seconds"]["builder"]["median"]),
        "mkdocs_time": ratio(lambda r: r["seconds"]["build"]["mkdocs"]["median"]),
        "site_size": ratio(lambda r: r["site"]["site_bytes"]),
        "html_pages": ratio(lambda r: r["site"]["html_pages"]),
        "peak_memory": ratio(lambda r: max(r["peak_rss_bytes"].values())),
    }
    return {"baseline_size": baseline["size"], "ratios": ratios,
            "met": ratios["total_time"] <= TARGETS["scale_max"]
            and ratios["site_size"] <= TARGETS["scale_max"]}


def run_bench(size: str, repeat: int = 1, *, config_file: Path,
              work_dir: Path | None = None, baseline: dict[str, Any] | None = None,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    if size not in SIZES:
        raise BuilderError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
    if repeat < 1:
        raise BuilderError("--repeat must be at least 1")
    note = progress or (lambda _msg: None)
    load_before = os.getloadavg()
    parent = Path(tempfile.mkdtemp(prefix=f"builder-bench-{size}-", dir=work_dir))
    runs = []
    try:
        for number in range(1, repeat + 1):
            note(f"run {number}/{repeat} ({size})")
            root = parent / f"run-{number}"
            make_project(root, config_file)
            runs.append(_one_run(root, size, note))
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    result = summarize(size, runs)
    result["environment"] = environment(load_before)
    if baseline is not None:
        result["scale"] = compare_scale(result, baseline)
        result["targets"]["scale_at_most_11x"] = {
            "met": result["scale"]["met"], "applies": True,
            "value": {k: result["scale"]["ratios"][k] for k in ("total_time", "site_size")}}
    return result


# -- the table -------------------------------------------------------------------------

def _mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def _secs(s: dict[str, float]) -> str:
    text = f"{s['median']:.2f} s"
    return text + (f" ({s['min']:.2f}-{s['max']:.2f})" if s["max"] > s["min"] else "")


def _row(label: str, seconds: dict[str, float] | None, memory: float | None = None) -> str:
    return (f"{label:<44}{_secs(seconds) if seconds else '':>24}"
            f"{_mib(memory) if memory else '':>13}").rstrip()


def _shown(name: str, value: Any) -> str:
    if "share" in name:
        return f"{100 * value:.1f}% of the build"
    if "memory" in name or "search" in name:
        return _mib(value)
    if isinstance(value, dict):
        return ", ".join(f"{k} x{v:.1f}" for k, v in value.items())
    return f"{value} file(s) written"


def format_table(result: dict[str, Any]) -> str:
    d, sec, mem = result["dataset"], result["seconds"], result["peak_rss_bytes"]
    build, site, rb = sec["build"], result["site"], result["rebuilds"]
    env = result.get("environment", {})
    lines = [
        f"builder bench: size {result['size']}, median of {result['runs']} run(s)"
        + (f"; {env['cpus']} CPU(s), load average "
           f"{' '.join(f'{x:.2f}' for x in env['load_average_before'])} before, "
           f"{' '.join(f'{x:.2f}' for x in env['load_average_after'])} after" if env else ""),
        f"{d['surveys']} surveys, {d['owners']} CA owners, {d['questions']} questions, "
        f"{d['answers']} answers, {d['changes']} recorded changes; "
        f"{result['pages']} generated pages, {site['html_pages']} HTML pages", "",
        f"{'stage':<44}{'time (min-max)':>24}{'peak memory':>13}",
        _row("import + validate (demo, via the merge code)", sec["import"], mem["import"]),
        *(_row(f"import the {label} export ({result['exports'][kind]['records']} "
               "records)", sec[key], mem[key])
          for key, kind, label in (("import_csv", "csv", "ccadb-csv"),
                                   ("import_json", "json", "json"))),
        _row("load_store (read + validate)", sec["load_store"], mem["load_store"]),
        "build from scratch:",
        _row("  load_store", build["load"]),
        _row("  render pages (Markdown, feeds, JSON)", build["pages"]),
        _row("  render downloads (CSV, JSON, SQLite)", build["downloads"]),
        _row("  write docs/", build["write"]),
        _row("  fingerprint docs/", build["fingerprint"]),
        _row("  builder stages (all but mkdocs build)", sec["builder"], mem["builder"]),
        _row("  mkdocs build", build["mkdocs"], mem["mkdocs"]),
        _row("  total", build["total"], mem["build"]),
        f"  builder share of the total: {100 * result['builder_share']:.1f}%", "",
        f"site: {_mib(site['site_bytes'])} in {site['site_files']} files; largest page "
        f"{site['largest_page']} ({_mib(site['largest_page_bytes'])}); search index "
        f"{_mib(site['search_index_bytes'])} raw, {_mib(site['search_index_gzip_bytes'])} gzip",
        f"rebuild, no change: {_secs(rb['unchanged']['seconds'])}, "
        f"{rb['unchanged']['files_written']} file(s) written, "
        f"MkDocs {'ran' if rb['unchanged']['mkdocs_ran'] else 'skipped'}",
        f"rebuild, one answer changed: {_secs(rb['one_change']['seconds'])} "
        f"(mkdocs build {_secs(rb['one_change']['timings']['mkdocs'])}), "
        f"{rb['one_change']['files_written']} file(s) written, "
        f"{rb['one_change']['files_removed']} removed:",
    ]
    lines += [f"  {path}" for path in rb["one_change"]["written"]]
    if "scale" in result:
        lines += ["", f"compared with {result['scale']['baseline_size']}: " + ", ".join(
            f"{k} x{v:.1f}" for k, v in result["scale"]["ratios"].items())]
    lines += ["", "targets:"] + [
        f"  {'met' if t['met'] else 'NOT MET':<8} {name}: {_shown(name, t['value'])}"
        for name, t in result["targets"].items() if t.get("applies", True)]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Child-process entry point: python -m builder.tools.bench STAGE ROOT SIZE."""
    name, root, size = argv
    print(json.dumps(_stage(name, Path(root), size)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
