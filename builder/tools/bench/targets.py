"""Issue #16's targets, each checked against a benchmark result: its figure, its limit,
met or not met. Relative targets are relative to this run's own full build, or to
today's: the full build of the same data by today's code in the same run, interleaved
(bench/today.py), or where that could not be run the figures of 27 November 2026 (TODAY,
the realistic "Results" of docs/performance.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

TODAY: dict[str, Any] = {
    "size": "realistic",
    "full_build_seconds": 18.2,
    "mkdocs_alone_seconds": 13.5,
    "no_change_seconds": 4.3,
    "one_change_seconds": 18.2,
    "site_bytes": int(128.9 * 2**20),
    "downloads_bytes": 85 << 20,
    "peak_rss_bytes_large": 2_289 << 20,
}
"""Today's realistic figures (docs/performance.md, "Results", 27 November 2026): the
baseline where today's code was not run side by side."""

CHANGE_SHARE_MAX = 0.10
FULL_SHARE_MAX = 0.40
NO_CHANGE_SHARE_MAX = 0.05
PEAK_MAX = 1 << 30
SCALE_MAX = 11.0
SITE_MAX = 60_000_000
QUERY_MAX = 300_000
JSON_CSV_MAX = 1.5


@dataclass(frozen=True)
class Check:
    name: str
    set_for: str
    """The size the issue sets the target for (the check is made at every size)."""
    value: float | None
    limit: float
    unit: str
    note: str = ""
    """Why there is no figure, or what the figure is made of."""
    applies: bool = True
    """False for a limit in absolute terms (seconds, megabytes of today's realistic run)
    on a run of another size: its figure is shown, neither met nor not met."""

    @property
    def met(self) -> bool | None:
        return None if self.value is None or not self.applies else self.value <= self.limit

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "set_for": self.set_for, "value": self.value,
                "limit": self.limit, "unit": self.unit, "met": self.met, "note": self.note,
                "applies": self.applies}


def _absolute(result: dict[str, Any], check: Check) -> Check:
    """A realistic-size limit in absolute terms: checked at that size only."""
    if result["size"] == check.set_for:
        return check
    return replace(check, applies=False, note=f"{check.note}; the limit is for the "
                   f"{check.set_for} size, this run is {result['size']}")


def _today_seconds(result: dict[str, Any]) -> float | None:
    """Today's full build of this run's data, where it was run side by side."""
    today = result.get("today_build", {})
    return None if "seconds" not in today else float(today["seconds"]["median"])


def _change(result: dict[str, Any], step: str, label: str) -> Check:
    full = result["seconds"]["full_build"]["median"]
    path = result["change_path"][step]
    today = _today_seconds(result)
    return Check(f"one changed answer, {label} import to published site", "realistic",
                 path["seconds"]["median"], CHANGE_SHARE_MAX * full, "s",
                 f"import {path['import']['median']:.2f} s + build "
                 f"{path['build']['median']:.2f} s; at most 10% of this run's full build "
                 f"({full:.2f} s)" + ("" if today is None else
                                      f"; {path['seconds']['median'] / today:.1%} of "
                                      f"today's ({today:.2f} s)"))


def _full(result: dict[str, Any]) -> Check:
    """Against today's full build in this run (a ratio: the host's speed divides out);
    else against the seconds of 27 November, at the realistic size only."""
    name, full = "full build at most 40% of today's", result["seconds"]["full_build"]["median"]
    today = _today_seconds(result)
    if today is None:
        why = result.get("today_build", {}).get("skipped", "not run")
        return _absolute(result, Check(name, "realistic", full,
                                       FULL_SHARE_MAX * TODAY["full_build_seconds"], "s",
                                       f"today's code not run side by side ({why}): "
                                       f"against {TODAY['full_build_seconds']} s, "
                                       "27 November"))
    same = ("the same demo dataset" if result["today_build"]["same_dataset"] else
            f"NOT the same demo dataset (today's: {result['today_build']['dataset']})")
    return Check(name, "realistic", full / today, FULL_SHARE_MAX, "x",
                 f"{full:.2f} s against today's code {today:.2f} s, {same}, same run "
                 f"(commit {result['today_build']['commit'][:7]})")


def _search(result: dict[str, Any], kind: str) -> Check:
    search = result["search"]
    name = f"search downloads for one {kind} query"
    if "skipped" in search:
        return Check(name, "large", None, QUERY_MAX, "bytes", "not measured: "
                     + search["skipped"])
    query = search["queries"][kind]
    return Check(name, "large", query["gzip_bytes"], QUERY_MAX, "bytes",
                 f"{query['query']!r}: {query['requests']} requests, gzip as served "
                 f"({query['raw_bytes']:,} bytes raw)")


def _scale(result: dict[str, Any]) -> Check:
    name = "time and site size linear from realistic to large (x10 data)"
    scale = result.get("scale")
    if scale is None:
        return Check(name, "large", None, SCALE_MAX, "x",
                     "not measured: give --baseline bench-realistic.json at large")
    ratios = scale["ratios"]
    return Check(name, "large", max(ratios["full_build"], ratios["site_size"]), SCALE_MAX,
                 "x", f"against {scale['baseline_size']}: full build x"
                 f"{ratios['full_build']:.1f}, site x{ratios['site_size']:.1f}, "
                 f"data x{ratios['answers']:.1f}")


def _against_mkdocs(result: dict[str, Any]) -> Check:
    """`mkdocs build` alone on the pages today's code generated, in this run; else the
    seconds of 27 November, at the realistic size only."""
    name = "full build no slower than mkdocs build alone on today's pages"
    full = result["seconds"]["full_build"]["median"]
    ours = f"this run's mkdocs build alone: {result['seconds']['mkdocs_alone']['median']:.2f} s"
    today = result.get("today_build", {})
    if "mkdocs_alone_seconds" not in today:
        return _absolute(result, Check(name, "realistic", full, TODAY["mkdocs_alone_seconds"],
                                       "s", f"today's, 27 November; {ours}"))
    return Check(name, "realistic", full, today["mkdocs_alone_seconds"]["median"], "s",
                 f"MkDocs' own build of today's code's pages in this run; {ours}")


CHECKS: tuple[Callable[[dict[str, Any]], Check], ...] = (
    lambda r: _change(r, "change_json", "json"),
    lambda r: _change(r, "change_csv", "ccadb-csv"),
    lambda r: Check("site after the changes identical to a full build", "realistic",
                    r["identical"]["differing_files"], 0, "files",
                    "bytes of every file, search index and downloads included"),
    _full,
    _against_mkdocs,
    lambda r: Check("no-change rebuild at most 5% of a full build", "realistic",
                    r["seconds"]["no_change"]["median"],
                    NO_CHANGE_SHARE_MAX * r["seconds"]["full_build"]["median"], "s",
                    f"{r['rebuilds']['no_change']['files_written']} file(s) written, site "
                    f"step {r['rebuilds']['no_change']['site_step']}"),
    lambda r: Check("peak memory of every process under 1 GiB", "large",
                    max(r["peak_rss_bytes"].values()), PEAK_MAX, "memory",
                    "largest: " + max(r["peak_rss_bytes"], key=r["peak_rss_bytes"].get)),
    _scale,
    lambda r: _absolute(r, Check("site at most 60 MB", "realistic", r["site"]["site_bytes"],
                                 SITE_MAX, "bytes",
                                 f"downloads {r['site']['downloads_bytes']:,} bytes")),
    lambda r: _search(r, "name"),
    lambda r: _search(r, "phrase"),
    lambda r: Check("json import within 1.5x the time of the same records as csv",
                    "realistic", r["seconds"]["import_json"]["median"]
                    / r["seconds"]["import_csv"]["median"], JSON_CSV_MAX, "x",
                    f"{r['exports']['json']['records']:,} records each"),
)


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [check(result).as_json() for check in CHECKS]
