"""The command line: a thin layer over the library; each command calls one function."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import click

from builder import __version__
from builder.load import Format

DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"), show_default=True, help="The data store folder.")
WAIT_OPTION = click.option(
    "--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
    help="If another command is changing the data store, wait up to this long for it "
         "(by default the command stops at once with a message naming it).")


def _waiting(data_dir: Path, wait: float) -> AbstractContextManager[None]:
    """The store lock taken here, waiting if asked; the library takes it again (re-entrant)."""
    from builder.store import store_lock

    return store_lock(data_dir, wait=wait)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="builder")
def main() -> None:
    """Import CCADB survey exports, keep their history, and publish them as a site."""


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
@DATA_OPTION
@WAIT_OPTION
def import_command(source: str, fmt: str, survey: str | None, question_ids: str, partial: bool,
                   encoding: str | None, source_url: str | None, observed_at: str | None,
                   captured_at: str | None, data_dir: Path, wait: float) -> None:
    """Import SOURCE (a file or an http(s) URL) into the data store."""
    from builder.importer import import_source
    from builder.load import LoadOptions

    ids = tuple(i.strip() for i in question_ids.split(",") if i.strip())
    options = LoadOptions(Format(fmt), survey, ids, encoding)
    with _waiting(data_dir, wait):
        result = import_source(source, data_dir, options, partial=partial,
                               observed_at=observed_at, source_url=source_url,
                               captured_at=captured_at)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = {k: sum(c.kind == k for c in result.changes) for k in ("added", "changed",
                                                                      "withdrawn")}
    click.echo(f"{source}: {result.export.format}, {len(result.export.records)} record(s); "
               f"answers {counts['added']} added, {counts['changed']} changed, "
               f"{counts['withdrawn']} withdrawn; {len(result.written)} file(s) written")


@main.command()
@DATA_OPTION
def validate(data_dir: Path) -> None:
    """Check every file of the data store; list every problem found."""
    from builder.store import load_store

    store = load_store(data_dir)
    answers = sum(len(s.answers) for s in store.surveys.values())
    questions = sum(len(s.questions) for s in store.surveys.values())
    click.echo(f"{data_dir}: ok: {len(store.surveys)} survey(s), {questions} question(s), "
               f"{answers} answer(s)")


@main.command()
@DATA_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Where the built site goes.")
@click.option("--docs-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("docs"), show_default=True,
              help="The MkDocs docs folder; generated pages go to its generated/ part.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("mkdocs.yml"), show_default=True, help="The MkDocs configuration.")
def build(data_dir: Path, site_dir: Path, docs_dir: Path, config_file: Path) -> None:
    """Render the pages from the data store and build the site with MkDocs."""
    from builder.site import build_site

    report = build_site(data_dir, docs_dir=docs_dir, site_dir=site_dir, config_file=config_file)
    click.echo(report.summary())


@main.command()
@click.option("--size", type=click.Choice(["small", "realistic", "large"]), default="small",
              show_default=True, help="small: tests; realistic: 20 surveys x 70 CA owners x "
                                      "15 questions; large: 10x realistic.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-data"), show_default=True,
              help="Folder for the demo store; refused if it holds real (non-demo) data.")
@WAIT_OPTION
def demo(size: str, data_dir: Path, wait: float) -> None:
    """Write a deterministic demonstration dataset with fictitious CA owners."""
    from builder.demo import write_demo

    with _waiting(data_dir, wait):
        summary = write_demo(data_dir, size)
    click.echo(summary)


@main.command()
@click.option("--from-git", "from_git", is_flag=True, required=True,
              help="Rebuild every survey's history.jsonl from the git history of the data "
                   "folder (one snapshot per commit).")
@DATA_OPTION
@WAIT_OPTION
def history(from_git: bool, data_dir: Path, wait: float) -> None:
    """Rebuild the answer history from the git history of data/."""
    from builder.githistory import history_from_git

    with _waiting(data_dir, wait):
        click.echo(history_from_git(data_dir))


@main.command()
@click.option("--only", metavar="SURVEY",
              help="Fetch only the sources of this survey (its title, or a source id).")
@click.option("--allow-shrink", is_flag=True,
              help="Accept an export naming far fewer CA owners than the store holds for "
                   "its questions (refused by default as a likely broken export).")
@DATA_OPTION
@WAIT_OPTION
def fetch(only: str | None, allow_shrink: bool, data_dir: Path, wait: float) -> None:
    """Fetch every source in DATA/sources.json and import what changed (exit 1 if any failed)."""
    import sys

    from builder.fetch import fetch_all

    with _waiting(data_dir, wait):
        report = fetch_all(data_dir, only=only, allow_shrink=allow_shrink,
                           progress=sys.stderr.isatty())
    for line in report.lines():
        click.echo(line)
    report.check()


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
def bench(size: str, repeat: int, json_file: str | None, baseline: Path | None,
          config_file: Path, work_dir: Path | None) -> None:
    """Benchmark the build on the demo dataset: time, peak memory, site size, rebuilds."""
    import json
    import sys

    from builder.bench import format_table, run_bench

    to_stdout = json_file == "-"
    result = run_bench(size, repeat, config_file=config_file, work_dir=work_dir,
                       baseline=json.loads(baseline.read_text("utf-8")) if baseline else None,
                       progress=lambda m: click.echo(m, err=True) if sys.stderr.isatty()
                       else None)
    text = json.dumps(result, indent=1, sort_keys=True) + "\n"
    click.echo(format_table(result), err=to_stdout)
    if to_stdout:
        click.echo(text, nl=False)
    else:
        target = Path(json_file or f"bench-{size}.json")
        target.write_text(text, encoding="utf-8")
        click.echo(f"result written to {target}", err=True)
