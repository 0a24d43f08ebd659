"""The benchmark's result as a table: every figure, then every target, met or not."""

from __future__ import annotations

from typing import Any

from builder.tools.bench.changes import CHANGE_STEPS

STEP_LABELS = {"change_json": "one answer changed, json export",
               "change_csv": "one answer changed, ccadb-csv export",
               "withdrawn": "one answer withdrawn (left out of a json export)",
               "added": "one answer added (ccadb-csv export)"}


def _mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def _secs(s: dict[str, float]) -> str:
    text = f"{s['median']:.2f} s"
    return text + (f" ({s['min']:.2f}-{s['max']:.2f})" if s["max"] > s["min"] else "")


def _row(label: str, seconds: dict[str, float] | None, memory: float | None = None) -> str:
    return (f"{label:<46}{_secs(seconds) if seconds else '':>22}"
            f"{_mib(memory) if memory else '':>13}").rstrip()


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "memory":
        return _mib(value)
    if unit == "files":
        return f"{value:.0f} file(s)"
    if unit == "bytes":
        return f"{value / 1e6:.2f} MB" if value >= 1e6 else f"{value / 1e3:.0f} KB"
    return f"{value:.2f} {unit}" if unit != "x" else f"x{value:.2f}"


def _target_lines(result: dict[str, Any]) -> list[str]:
    lines = ["targets (figure / limit; the size the issue sets each for):"]
    for t in result["targets"]:
        state = {True: "met", False: "NOT MET", None: "not measured"}[t["met"]] \
            if t.get("applies", True) else "n/a"
        lines.append(f"  {state:<12} {t['name']}: {_figure(t['value'], t['unit'])} / "
                     f"{_figure(t['limit'], t['unit'])} ({t['set_for']}; {t['note']})")
    return lines


def _change_lines(result: dict[str, Any]) -> list[str]:
    lines = [f"import to published site (`builder import` + `builder build`, the answer of "
             f"{result['changed_answer']['owner']} to {result['changed_answer']['question']}):"]
    for step, _layout, _what in CHANGE_STEPS:
        path = result["change_path"][step]
        lines.append(_row(f"  {STEP_LABELS[step]}", path["seconds"]))
        lines.append(f"      import {_secs(path['import'])}, build {_secs(path['build'])} "
                     f"(site step {path['site_step']}, {_secs(path['timings']['mkdocs'])}); "
                     f"with start-up {_secs(path['process_seconds'])}; "
                     f"{path['files_written']} file(s) written, {path['files_removed']} "
                     f"removed; changes: {', '.join(path['changes']) or 'none'}")
    identical = result["identical"]
    lines.append("  site after these steps vs. a full build from nothing: " + (
        "identical" if not identical["differing_files"] else
        f"{identical['differing_files']} file(s) differ: "
        + "; ".join(identical["differences"][:3])))
    return lines


def _today_lines(result: dict[str, Any]) -> list[str]:
    today = result.get("today_build", {})
    if "seconds" not in today:
        return [f"today's code, full build: not run ({today.get('skipped', 'not asked for')})"]
    same = "same dataset" if today["same_dataset"] else "NOT the same dataset"
    return [_row(f"today's code ({today['commit'][:7]}), full build, {same}",
                 today["seconds"], today["peak_rss_bytes"]),
            _row("  mkdocs build alone on its pages", today["mkdocs_alone_seconds"]),
            f"  its site {today['site_bytes'] / 1e6:.1f} MB, {today['html_pages']} HTML pages;"
            f" run just before each full build above"]


def _search_line(result: dict[str, Any]) -> str:
    search = result["search"]
    if "skipped" in search:
        return f"search, one query: not measured ({search['skipped']})"
    return "search, one query (Chromium, nothing cached): " + "; ".join(
        f"{kind} {q['query']!r} {q['requests']} requests, {q['gzip_bytes']:,} bytes gzip "
        f"({q['raw_bytes']:,} raw)" for kind, q in search["queries"].items())


def format_table(result: dict[str, Any]) -> str:
    d, sec, mem = result["dataset"], result["seconds"], result["peak_rss_bytes"]
    build, site = result["full_build"], result["site"]
    env = result.get("environment", {})
    lines = [
        f"builder bench: size {result['size']}, median of {result['runs']} run(s)"
        + (f"; {env['cpus']} CPU(s), load average "
           f"{' '.join(f'{x:.2f}' for x in env['load_average_before'])} before, "
           f"{' '.join(f'{x:.2f}' for x in env['load_average_after'])} after" if env else ""),
        f"{d['surveys']} surveys, {d['owners']} CA owners, {d['questions']} questions, "
        f"{d['answers']} answers, {d['changes']} recorded changes; "
        f"{result['pages']} generated pages, {site['html_pages']} HTML pages",
        *(["byte code: " + "; ".join(f"{code} {what}" for code, what
                                      in env["byte_code"].items())] if "byte_code" in env
          else []), "",
        f"{'stage (each its own process)':<46}{'time (min-max)':>22}{'peak memory':>13}",
        _row("demo dataset (set-up, via the merge code)", sec["demo"]),
        *(_row(f"import the {label} export ({result['exports'][kind]['records']:,} "
               "records)", sec[key], mem[key])
          for key, kind, label in (("import_csv", "csv", "ccadb-csv"),
                                   ("import_json", "json", "json"))),
        _row("load_store (read + validate)", sec["load"], mem["load"]),
        _row("full build (builder build, from nothing)", sec["full_build"], mem["full_build"]),
        *(_row(f"  {part}", build[part]) for part in ("load", "downloads", "pages", "write",
                                                      "mkdocs")),
        *_today_lines(result),
        _row("mkdocs build alone, same work folder", sec["mkdocs_alone"], mem["mkdocs"]),
        _row("no-change rebuild", sec["no_change"], mem["no_change"]),
        f"  {result['rebuilds']['no_change']['files_written']} file(s) written, site step "
        f"{result['rebuilds']['no_change']['site_step']}", "",
        *_change_lines(result), "",
        f"site: {site['site_bytes'] / 1e6:.1f} MB in {site['site_files']:,} files, of which "
        f"downloads {site['downloads_bytes'] / 1e6:.1f} MB ({site['downloads_files']} files);"
        f" largest page {site['largest_page']} ({_mib(site['largest_page_bytes'])}); whole "
        f"search index {site['search_index_gzip_bytes'] / 1e6:.2f} MB gzip",
        _search_line(result),
        f"peak memory, largest process: {_mib(max(mem.values()))} "
        f"({max(mem, key=mem.__getitem__)})",
    ]
    if "scale" in result:
        lines += ["", f"compared with {result['scale']['baseline_size']}: " + ", ".join(
            f"{k} x{v:.1f}" for k, v in result["scale"]["ratios"].items())]
    return "\n".join(lines + [""] + _target_lines(result))
