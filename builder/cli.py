"""The command line: a thin layer over the library; each command calls one function."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import click

from builder import __version__
from builder.core.errors import terminal_safe
from builder.core.limits import FETCH_BUDGET, REQUEST_DEADLINE
from builder.ingest.format_names import Format

DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"), show_default=True, help="The data store folder.")
QUIET_OPTION = click.option("--quiet", "-q", is_flag=True, help="Print errors only.")


def progress_display(quiet: bool) -> Callable[[str], None] | None:
    """Stages and counts on a terminal (stderr); nothing when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: click.echo(f"... {message}", err=True)


def say(quiet: bool, text: str, err: bool = False) -> None:
    if not quiet:
        click.echo(text, err=err)

ALLOW_WITHDRAW_OPTION = click.option(
    "--allow-withdraw", "--allow-shrink", "allow_withdraw", is_flag=True,
    help="Accept an import that withdraws or blanks more than a few answers, or leaves a "
         "question or survey with far fewer than it recently had (refused by default as a "
         "likely broken export).")
DEADLINE_OPTION = click.option(
    "--deadline", type=click.FloatRange(min=0, min_open=True), default=REQUEST_DEADLINE,
    show_default=True, metavar="SECONDS",
    help="Total time one HTTP request may take, retries and waits included.")
WAIT_OPTION = click.option(
    "--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
    help="If another command is changing the data store, wait up to this long for it "
         "(by default the command stops at once with a message naming it).")


def _waiting(data_dir: Path, wait: float) -> AbstractContextManager[None]:
    """The store lock taken here, waiting if asked; the library takes it again (re-entrant)."""
    from builder.store.records import store_lock

    return store_lock(data_dir, wait=wait)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="builder")
def main() -> None:
    """Import CCADB survey exports, keep their history, and publish them as a site."""
    _stop_on_sigterm()


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> None:
    """SIGTERM (a CI job cancelled, `kill`) stops a command as Ctrl-C does: its cleanup
    runs (temporary folders, the store lock) instead of the process vanishing mid-step.
    Forked workers keep the default, so that ending one still ends it at once. A handler
    someone else set (or a thread other than the main one) is left alone."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return
    signal.signal(signal.SIGTERM, _terminated)
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))


@main.command("import")
@click.argument("source")
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice([f.value for f in Format]),
              help="Layout of the export; auto-detected from its content by default.")
@click.option("--survey", help="Survey title, for layouts that do not carry it (report-csv).")
@click.option("--question-ids", default="",
              help="Question ids by position, comma-separated (Q00101,Q00102); "
                   "taken from the URL's QuestionId= when importing a report by URL.")
@click.option("--partial", is_flag=True,
              help="The export was cut short: add and update answers, but do not treat "
                   "missing CA owners as withdrawn.")
@click.option("--encoding", help="Fallback encoding for an export that is not UTF-8 "
                                 "(a warning is printed).")
@click.option("--source-url", help="The URL a saved file was downloaded from: recorded as "
                                   "each answer's source (and its QuestionId= read).")
@click.option("--observed-at", help="Record the import as made at this UTC time "
                                    "(ISO 8601) instead of now.")
@click.option("--captured-at", help="When the saved copy being imported was captured (ISO "
                                    "date, e.g. the date of the archive it came from); "
                                    "without it a file's capture date is recorded as unknown.")
@ALLOW_WITHDRAW_OPTION
@DEADLINE_OPTION
@click.option("--archived-copy", help="Where the saved copy is preserved (a permalink), "
                                      "recorded beside --source-url (ca-information-csv).")
@DATA_OPTION
@QUIET_OPTION
@WAIT_OPTION
def import_command(source: str, fmt: str, survey: str | None, question_ids: str, partial: bool,
                   encoding: str | None, source_url: str | None, observed_at: str | None,
                   captured_at: str | None, allow_withdraw: bool, deadline: float,
                   archived_copy: str | None, data_dir: Path, quiet: bool, wait: float) -> None:
    """Import SOURCE (a file or an http(s) URL) into the data store."""
    from builder.ingest.formats import LoadOptions
    from builder.ingest.importer import import_source

    ids = tuple(i.strip() for i in question_ids.split(",") if i.strip())
    options = LoadOptions(Format(fmt), survey, ids, encoding)
    with _waiting(data_dir, wait):
        result = import_source(source, data_dir, options, partial=partial,
                               observed_at=observed_at, source_url=source_url,
                               captured_at=captured_at, allow_withdraw=allow_withdraw,
                               deadline=deadline, progress=progress_display(quiet),
                               archived_copy=archived_copy)
    for warning in result.warnings:
        say(quiet, f"warning: {warning}", err=True)
    if result.export.format == Format.CA_INFORMATION_CSV.value:
        from builder.ingest.cainfo import summary

        say(quiet, f"{terminal_safe(source)}: {summary(result)}")
        return
    counts = {k: sum(c.kind == k for c in result.changes) for k in ("added", "changed",
                                                                      "withdrawn")}
    read = result.export.records if result.export.questions is None else result.export.questions
    unit = "record(s)" if result.export.questions is None else "question(s)"
    say(quiet, f"{terminal_safe(source)}: {result.export.format}, {len(read)} {unit}; "
               f"answers {counts['added']} added, {counts['changed']} changed, "
               f"{counts['withdrawn']} withdrawn; {len(result.written)} file(s) written")


@main.command()
@DATA_OPTION
@QUIET_OPTION
def validate(data_dir: Path, quiet: bool) -> None:
    """Check every file of the data store, sources.json and fetch-state.json; list every
    problem found."""
    from builder.ingest.check import check_data

    checked = check_data(data_dir)
    store = checked.store
    answers = sum(len(s.answers) for s in store.surveys.values())
    questions = sum(len(s.questions) for s in store.surveys.values())
    ca = store.ca_information
    extra = (f"; CCADB CA information: {len(ca.copies)} copy(ies), "
             f"{len({k for _, k in ca.values})} CA owner(s), {len(ca.values)} field value(s)"
             if ca.copies else "")
    sources = (f"; {len(checked.sources)} source(s) to fetch" if checked.sources is not None
               else "")
    say(quiet, f"{data_dir}: ok: {len(store.surveys)} survey(s), {questions} question(s), "
               f"{answers} answer(s){extra}{sources}")


@main.command()
@DATA_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Where the built site goes.")
@click.option("--docs-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Work folder where this build's pages are put together for MkDocs (the "
                   "generated pages and a copy of the hand-written ones). Default: "
                   ".build-docs/NAME-HASH next to the configuration, one per data folder.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("mkdocs.yml"), show_default=True,
              help="The MkDocs configuration; its folder holds site_templates/, the theme "
                   "overrides and the hand-written pages (docs_dir).")
@click.option("--site-url", envvar="SITE_URL", metavar="URL",
              help="The published site's address (https://OWNER.github.io/REPOSITORY/), for "
                   "canonical links, an absolute sitemap and feeds; also read from SITE_URL, "
                   "then from site_url in the configuration.")
@click.option("--allow-shrink", is_flag=True,
              help="Replace the site even if the new one has less than half its pages.")
@click.option("--full", is_flag=True,
              help="Build the whole site with MkDocs' own build, even when only some "
                   "pages changed or nothing did (no incremental site step, no shares), "
                   "with every survey read from text and nothing the work folder keeps "
                   "used.")
@QUIET_OPTION
def build(data_dir: Path, site_dir: Path, docs_dir: Path | None, config_file: Path,
          site_url: str | None, allow_shrink: bool, full: bool, quiet: bool) -> None:
    """Render the pages from the data store and build the site with MkDocs."""
    from builder.publish.build import build_site

    report = build_site(data_dir, docs_dir=docs_dir, site_dir=site_dir, config_file=config_file,
                        site_url=site_url, allow_shrink=allow_shrink,
                        progress=progress_display(quiet), full=full)
    for note in report.notes:
        say(quiet, f"note: {note}", err=True)
    say(quiet, report.summary())


@main.command()
@click.option("--size", type=click.Choice(["small", "realistic", "large"]), default="small",
              show_default=True, help="small: tests; realistic: 20 surveys x 70 CA owners x "
                                      "15 questions; large: 10x realistic.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-data"), show_default=True,
              help="Folder for the demo store; refused if it holds real (non-demo) data.")
@QUIET_OPTION
@WAIT_OPTION
def demo(size: str, data_dir: Path, quiet: bool, wait: float) -> None:
    """Write a deterministic demonstration dataset with fictitious CA owners."""
    from builder.tools.demo import write_demo

    with _waiting(data_dir, wait):
        summary = write_demo(data_dir, size, progress=progress_display(quiet))
    say(quiet, str(summary))


@main.command()
@click.option("--from-git", "from_git", is_flag=True, required=True,
              help="Rebuild every survey's history.jsonl from the git history of the data "
                   "folder (one snapshot per commit).")
@DATA_OPTION
@WAIT_OPTION
def history(from_git: bool, data_dir: Path, wait: float) -> None:
    """Rebuild the answer history from the git history of data/."""
    from builder.tools.githistory import history_from_git

    with _waiting(data_dir, wait):
        click.echo(history_from_git(data_dir))


@main.command()
@click.option("--only", metavar="SURVEY",
              help="Fetch only the sources of this survey (its title, or a source id).")
@ALLOW_WITHDRAW_OPTION
@DEADLINE_OPTION
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), default=FETCH_BUDGET,
              show_default=True, metavar="SECONDS",
              help="Total time the whole run may take; sources not reached by then fail.")
@click.option("--base-url", metavar="URL",
              help="Fetch every source from URL + the source's path and query (a mirror, a "
                   "local stand-in) instead of its own hosts; recorded as a copy, not a live "
                   "capture.")
@DATA_OPTION
@WAIT_OPTION
def fetch(only: str | None, allow_withdraw: bool, deadline: float, budget: float,
          base_url: str | None, data_dir: Path, wait: float) -> None:
    """Fetch every source in DATA/sources.json and import what changed (exit 1 if any failed)."""
    from builder.ingest.fetch import Settings, fetch_all

    with _waiting(data_dir, wait):
        report = fetch_all(data_dir, only=only, allow_shrink=allow_withdraw,
                           settings=Settings(deadline=deadline, budget=budget),
                           base_url=base_url, progress=progress_display(quiet=False))
    for line in report.lines():
        click.echo(line)
    report.check()


@main.command()
@click.argument("source")
@DATA_OPTION
def discover(source: str, data_dir: Path) -> None:
    """Follow every CCADB CA Communication that SOURCE (a file or an http(s) URL, e.g.
    https://wiki.mozilla.org/CA/Communications) links to: add the new ones to
    DATA/sources.json."""
    from builder.ingest.discover import discover as discover_sources

    found = discover_sources(source, data_dir)
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in found.lines():
        click.echo(line)


@main.command()
@click.option("--size", type=click.Choice(["small", "realistic", "large"]),
              default="realistic", show_default=True,
              help="Demo dataset to build: small (tests), realistic, large (10x realistic).")
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True,
              help="Runs; the figures are their medians.")
@click.option("--json", "json_file", metavar="FILE",
              help="Where to write the result as JSON ('-' for standard output; the table "
                   "then goes to standard error). Default: bench-SIZE.json.")
@click.option("--baseline", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A JSON result of a smaller size (bench-realistic.json) to compare with: "
                   "prints how time and site size grew.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("mkdocs.yml"), show_default=True,
              help="The MkDocs configuration; its theme overrides and hand-written docs "
                   "pages are copied into the temporary project.")
@click.option("--work-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Where to make the temporary folder (default: the system's).")
@click.option("--today/--no-today", default=None,
              help="Also build each run's data with today's code (issue #16's baseline "
                   "commit, from this checkout's git history), side by side. Default: at "
                   "the realistic size only.")
def bench(size: str, repeat: int, json_file: str | None, baseline: Path | None,
          config_file: Path, work_dir: Path | None, today: bool | None) -> None:
    """Benchmark the build on the demo dataset: time, peak memory, site size, rebuilds."""
    import json
    import sys

    from builder.tools.bench import format_table, run_bench

    to_stdout = json_file == "-"
    result = run_bench(size, repeat, config_file=config_file, work_dir=work_dir,
                       baseline=json.loads(baseline.read_text("utf-8")) if baseline else None,
                       progress=lambda m: click.echo(m, err=True) if sys.stderr.isatty()
                       else None, today=today)
    text = json.dumps(result, indent=1, sort_keys=True) + "\n"
    click.echo(format_table(result), err=to_stdout)
    if to_stdout:
        click.echo(text, nl=False)
    else:
        target = Path(json_file or f"bench-{size}.json")
        target.write_text(text, encoding="utf-8")
        click.echo(f"result written to {target}", err=True)
