"""The benchmark's stages, each run in a child process of its own so that its peak
memory (the process's peak resident set size) is its own and not left over from an
earlier stage: `python -m builder.tools.bench STAGE ROOT SIZE` prints one JSON line.

ROOT is a project copy (bench/project.py): data/, docs/ (the work folder), site/,
mkdocs.yml, exports/ (the export files the import stages read).
"""

from __future__ import annotations

import gzip
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.core.errors import BuilderError
from builder.tools.bench.changes import (
    CHANGE_OBSERVED_AT,
    CHANGE_STEPS,
    EXPORTS,
    change_one_answer,
    write_change_exports,
)

STEP_LAYOUT = {name: layout for name, layout, _step in CHANGE_STEPS}


def peak_rss_bytes() -> int:
    """The largest peak resident set size of this process and of each process it ran
    and waited for (a build's downloads process, its MkDocs process): no process of
    the stage was larger."""
    import resource

    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def _demo(root: Path, size: str) -> dict[str, Any]:
    from builder.tools.demo import write_demo

    summary = write_demo(root / "data", size)
    return {"surveys": summary.surveys, "owners": summary.owners,
            "questions": summary.questions, "answers": summary.answers,
            "changes": summary.changes}


def _exports(root: Path, size: str) -> dict[str, Any]:
    """The whole dataset in both import layouts, and the change steps' exports (untimed
    set-up: the open-data downloads are made in a folder of their own)."""
    from builder.publish.opendata.produce import write_downloads
    from builder.store.records import load_store

    store = load_store(root / "data")
    work = root / "exports-work"
    write_downloads(store, work)
    target = root / "exports"
    target.mkdir(parents=True, exist_ok=True)
    whole = {suffix: (work / f"downloads/answers.{suffix}.gz").read_bytes()
             for suffix in EXPORTS.values()}
    for suffix, data in whole.items():  # published gzipped: an import reads the plain file
        (target / f"answers.{suffix}").write_bytes(gzip.decompress(data))
    shutil.rmtree(work)
    return write_change_exports(store, whole, target)


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


def _whole_import(name: str) -> Callable[[Path, str], dict[str, Any]]:
    return lambda root, size: import_export(root / "exports" / f"answers.{EXPORTS[name]}",
                                            root / f"store-{name}")


def _step_import(name: str) -> Callable[[Path, str], dict[str, Any]]:
    """`builder import` of one change step's export into the project's store."""
    def run(root: Path, size: str) -> dict[str, Any]:
        from builder.ingest.formats import Format, LoadOptions
        from builder.ingest.importer import import_source

        number = [n for n, _l, _s in CHANGE_STEPS].index(name) + 1
        fmt = Format.JSON if STEP_LAYOUT[name] == "json" else Format.CCADB_CSV
        result = import_source(str(root / "exports" / f"{name}.{STEP_LAYOUT[name]}"),
                               root / "data", LoadOptions(fmt),
                               observed_at=CHANGE_OBSERVED_AT.replace(":00Z", f":{number:02}Z"))
        return {"changes": [c.kind for c in result.changes], "data_files_written":
                result.written, "records": len(result.export.records)}
    return run


def _load(root: Path, size: str) -> dict[str, Any]:
    from builder.store.records import load_store

    store = load_store(root / "data")
    return {"answers": sum(len(d.answers) for d in store.surveys.values())}


def _build(root: Path, size: str, *, full: bool = False, where: str = "") -> dict[str, Any]:
    from builder.publish.build import build_site

    report = build_site(root / "data", docs_dir=root / f"docs{where}",
                        site_dir=root / f"site{where}", config_file=root / "mkdocs.yml",
                        full=full)
    return {"pages": report.pages, "written": report.written, "removed": report.removed,
            "mkdocs_ran": report.mkdocs_ran, "site_step": report.site_step.action,
            "timings": report.timings}


def _verify(root: Path, size: str) -> dict[str, Any]:
    """A full build of the same data from nothing, compared byte for byte with the site
    the incremental path left (search index and downloads included)."""
    from builder.tools.sitediff import diff_sites

    out = _build(root, size, full=True, where="-full")
    found = diff_sites(root / "site", root / "site-full")
    shutil.rmtree(root / "docs-full")
    shutil.rmtree(root / "site-full")
    return {"identical": not found, "differences": [str(d) for d in found[:20]],
            "differing_files": len(found), "timings": out["timings"]}


def _today(root: Path, size: str) -> dict[str, Any]:
    """A full build of the same demo dataset by today's code (bench/today.py), checked
    out by run.py beside the runs' projects."""
    from builder.tools.bench.today import CODE_DIR, build_today

    try:
        return build_today(root.parent / CODE_DIR, size, root / "today")
    except RuntimeError as failed:
        return {"failed": str(failed)}


def _mkdocs(root: Path, size: str) -> dict[str, Any]:
    from builder.publish.site_step import mkdocs_build

    start = time.perf_counter()
    # MkDocs' own build, one process: the reference the builder's site step is held to.
    mkdocs_build(root / "mkdocs.yml", root / "docs", root / "mkdocs-only", None)
    seconds = time.perf_counter() - start
    shutil.rmtree(root / "mkdocs-only", ignore_errors=True)
    return {"seconds": seconds}


PHRASE_QUERY = "informed our auditors"
"""A phrase of the demo's answers (builder/tools/demo.py); the name query is the full
name of the CA owner whose answer the benchmark changes."""


def _search(root: Path, size: str) -> dict[str, Any]:
    """Bytes one query downloads in Chromium (builder/tools/searchbench.py); skipped,
    with the reason, where there is no Chromium or no Playwright."""
    import os

    from builder.store.records import load_store
    from builder.tools import searchbench
    from builder.tools.bench.changes import target_answer

    if not os.access(searchbench.CHROMIUM, os.X_OK):
        return {"skipped": f"no Chromium at {searchbench.CHROMIUM}"}
    try:
        import playwright  # noqa: F401
    except ImportError:
        return {"skipped": "Playwright is not installed (requirements/test.txt)"}
    name = target_answer(load_store(root / "data")).owner_name
    costs = searchbench.query_bytes(root / "site", [name, PHRASE_QUERY])
    return {"queries": {kind: {"query": c.query, "requests": c.requests,
                               "raw_bytes": c.raw_bytes, "gzip_bytes": c.gzip_bytes,
                               "results": c.results}
                        for kind, c in zip(("name", "phrase"), costs, strict=True)}}


STAGES: dict[str, Callable[[Path, str], dict[str, Any]]] = {
    "demo": _demo, "exports": _exports, "load": _load, "today": _today, "build": _build,
    "mkdocs": _mkdocs,
    "verify": _verify, "search": _search,
    "change": lambda root, size: change_one_answer(root / "data"),
    **{name: _whole_import(name) for name in EXPORTS},
    **{name: _step_import(name) for name in STEP_LAYOUT},
}


def run_stage(name: str, root: Path, size: str) -> dict[str, Any]:
    """Run one stage in this process; its figures, its time and its peak memory."""
    if name not in STAGES:
        raise BuilderError(f"unknown benchmark stage {name!r}")
    start = time.perf_counter()
    out = STAGES[name](root, size)
    out.setdefault("seconds", time.perf_counter() - start)
    out["peak_rss_bytes"] = peak_rss_bytes()
    return out
