"""One benchmark run after another, each stage a child process; medians over the runs."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.core.clock import utc_text
from builder.core.errors import BuilderError
from builder.tools.bench.changes import CHANGE_STEPS, EXPORTS
from builder.tools.bench.project import compile_code, make_project, run_child, site_metrics
from builder.tools.bench.targets import TODAY, check_targets
from builder.tools.bench.today import CODE_DIR, TODAY_COMMIT, checkout, repo_of_this_code

SIZES = ("small", "realistic", "large")
RUN = ("demo", "exports", "import_csv", "import_json", "load", "today", "build:full_build",
       "build:no_change", "mkdocs", "search")
"""The stages in order (KEY or STAGE:KEY); the change steps follow (_change_path).
"today" (today's code's full build of the same data, just before this code's) runs only
where today's code was checked out (run_bench)."""

BUILD_PARTS = ("inputs", "load", "downloads", "pages", "write", "mkdocs", "total")
"""build_site's timings: the inputs check (incremental builds), load the store, write
the downloads, render the pages and the search index, write docs/, the site step (mkdocs
build, incremental or skipped), in all."""


def _stage(run: dict[str, Any], key: str, root: Path, size: str,
           note: Callable[[str], None]) -> None:
    stage, _, name = key.partition(":")
    note(f"  {name or stage} ...")
    run[name or stage] = figures = run_child(stage, root, size)
    note(f"  {name or stage}: {figures['seconds']:.2f} s, "
         f"peak {figures['peak_rss_bytes'] / 2**20:.0f} MiB")


def _one_run(root: Path, size: str, note: Callable[[str], None],
             today: bool) -> dict[str, Any]:
    run: dict[str, Any] = {}
    for key in RUN:
        if key == "today" and not today:
            continue
        _stage(run, key, root, size, note)
        if key == "build:full_build":
            run["site"] = site_metrics(root / "site")
    for step, _layout, _what in CHANGE_STEPS:  # each: `builder import`, `builder build`
        _stage(run, f"{step}:{step}_import", root, size, note)
        _stage(run, f"build:{step}_build", root, size, note)
    _stage(run, "verify", root, size, note)
    return run


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _timings(runs: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    return {part: _spread([r[key]["timings"].get(part, 0.0) for r in runs])
            for part in BUILD_PARTS}


def _change_path(runs: list[dict[str, Any]], step: str) -> dict[str, Any]:
    first_import, first_build = runs[0][f"{step}_import"], runs[0][f"{step}_build"]
    return {
        "seconds": _spread([r[f"{step}_import"]["seconds"] + r[f"{step}_build"]["seconds"]
                            for r in runs]),
        "process_seconds": _spread([r[f"{step}_import"]["process_seconds"]
                                    + r[f"{step}_build"]["process_seconds"] for r in runs]),
        "import": _spread([r[f"{step}_import"]["seconds"] for r in runs]),
        "build": _spread([r[f"{step}_build"]["seconds"] for r in runs]),
        "timings": _timings(runs, f"{step}_build"),
        "changes": first_import["changes"], "records": first_import["records"],
        "files_written": len(first_build["written"]), "written": first_build["written"],
        "files_removed": len(first_build["removed"]), "removed": first_build["removed"],
        "site_step": first_build["site_step"]}


PEAKS = ("import_csv", "import_json", "load", "full_build", "no_change", "mkdocs",
         *(f"{step}_{part}" for step, _l, _s in CHANGE_STEPS for part in ("import", "build")))
"""The processes of the build whose peak memory counts (the demo's generation and the
exports are the benchmark's own set-up; the verifying full build is a full build)."""


def summarize(size: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs, every figure of the issue, and every run's own figures."""
    first = runs[0]
    result: dict[str, Any] = {
        "size": size, "runs": len(runs), "today": TODAY,
        "dataset": {k: first["demo"][k] for k in ("surveys", "owners", "questions",
                                                  "answers", "changes")},
        "pages": first["full_build"]["pages"],
        "exports": {EXPORTS[k]: {"records": first[k]["records"], "bytes": first[k]["bytes"]}
                    for k in EXPORTS},
        "changed_answer": {k: first["exports"][k] for k in ("survey", "question", "owner")},
        "seconds": {key: _spread([r[key]["seconds"] for r in runs])
                    for key in ("demo", "import_csv", "import_json", "load", "full_build",
                                "no_change", "mkdocs")},
        "full_build": _timings(runs, "full_build"),
        "peak_rss_bytes": {key: statistics.median([r[key]["peak_rss_bytes"] for r in runs])
                           for key in PEAKS},
        "site": first["site"],
        "search": first["search"],
        "rebuilds": {"no_change": {
            "files_written": len(first["no_change"]["written"]),
            "files_removed": len(first["no_change"]["removed"]),
            "site_step": first["no_change"]["site_step"]}},
        "change_path": {step: _change_path(runs, step) for step, _l, _s in CHANGE_STEPS},
        "identical": {"differing_files": max(r["verify"]["differing_files"] for r in runs),
                      "differences": first["verify"]["differences"]},
        "raw": runs,
    }
    result["seconds"]["mkdocs_alone"] = result["seconds"].pop("mkdocs")
    return result


def summarize_today(runs: list[dict[str, Any]], skipped: str | None) -> dict[str, Any]:
    """Today's full builds of the runs (bench/today.py), or why there are none."""
    failed = next((r["today"]["failed"] for r in runs if "failed" in r.get("today", {})),
                  None)
    if skipped or failed:
        return {"commit": TODAY_COMMIT, "skipped": skipped or failed}
    first = runs[0]["today"]
    return {"commit": TODAY_COMMIT,
            "seconds": _spread([r["today"]["seconds"] for r in runs]),
            "mkdocs_alone_seconds": _spread([r["today"]["mkdocs_alone_seconds"]
                                             for r in runs]),
            "peak_rss_bytes": statistics.median(r["today"]["peak_rss_bytes"] for r in runs),
            "dataset": first["dataset"], "same_dataset": all(
                r["today"]["dataset"] == {k: r["demo"][k] for k in r["today"]["dataset"]}
                and len(r["today"]["dataset"]) == 5 for r in runs),
            "site_bytes": first["site_bytes"], "html_pages": first["html_pages"]}


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
            "load_average_after": list(os.getloadavg()), "date": utc_text()}


def compare_scale(result: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Ratios of this result to a smaller baseline run (e.g. large / realistic)."""
    def ratio(get: Callable[[dict[str, Any]], float]) -> float:
        return get(result) / get(baseline)

    return {"baseline_size": baseline["size"], "ratios": {
        "answers": ratio(lambda r: r["dataset"]["answers"]),
        "full_build": ratio(lambda r: r["seconds"]["full_build"]["median"]),
        "mkdocs_alone": ratio(lambda r: r["seconds"]["mkdocs_alone"]["median"]),
        "site_size": ratio(lambda r: r["site"]["site_bytes"]),
        "html_pages": ratio(lambda r: r["site"]["html_pages"]),
        "peak_memory": ratio(lambda r: max(r["peak_rss_bytes"].values()))}}


def run_bench(size: str, repeat: int = 1, *, config_file: Path,
              work_dir: Path | None = None, baseline: dict[str, Any] | None = None,
              progress: Callable[[str], None] | None = None,
              today: bool | None = None) -> dict[str, Any]:
    """`today`: also build each run's data with today's code (bench/today.py); by default
    at the realistic size only, the one the issue's targets are set for (at large,
    today's code takes minutes and 2.3 GiB per build)."""
    if size not in SIZES:
        raise BuilderError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
    if repeat < 1:
        raise BuilderError("--repeat must be at least 1")
    if baseline is not None and "full_build" not in baseline.get("seconds", {}):
        raise BuilderError("--baseline: not a result of this version of builder bench")
    note = progress or (lambda _msg: None)
    load_before = os.getloadavg()
    parent = Path(tempfile.mkdtemp(prefix=f"builder-bench-{size}-", dir=work_dir))
    runs = []
    with_today = size == "realistic" if today is None else today
    skipped = None if with_today else f"not asked for at the {size} size (--today)"
    byte_code = {"this code": compile_code(repo_of_this_code())}
    try:
        if with_today:
            skipped = checkout(repo_of_this_code(), TODAY_COMMIT, parent / CODE_DIR)
            if skipped is None:
                byte_code["today's code"] = compile_code(parent / CODE_DIR)
        for number in range(1, repeat + 1):
            note(f"run {number}/{repeat} ({size})")
            root = parent / f"run-{number}"
            make_project(root, config_file)
            runs.append(_one_run(root, size, note, today=skipped is None))
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    result = summarize(size, runs)
    result["today_build"] = summarize_today(runs, skipped)
    result["environment"] = environment(load_before)
    result["environment"]["byte_code"] = {code: why or "compiled before the runs"
                                          for code, why in byte_code.items()}
    if baseline is not None:
        result["scale"] = compare_scale(result, baseline)
    result["targets"] = check_targets(result)
    return result
