"""The command line keeps its docs honest: help for every command, every command and option
in README.md (style.md §14)."""

from __future__ import annotations

import click
import pytest

from builder.cli import main
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def readme_lines(name: str) -> list[str]:
    """The README lines that show `builder NAME` being used (table rows, transcripts)."""
    return [line for line in README.splitlines() if f"builder {name}" in line]


def test_the_main_command_has_help(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "Import CCADB survey exports" in result.output
    for name in COMMANDS:
        assert f"  {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(cli, name: str) -> None:
    command = main.commands[name]
    assert command.help and command.help.strip()
    for flag in ("--help", "-h"):
        result = cli(name, flag)
        assert result.exit_code == 0
        assert result.output.startswith(f"Usage: main {name} ")
        first_paragraph = command.help.strip().split("\n\n")[0]
        assert " ".join(first_paragraph.split()) in " ".join(result.output.split())
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help text"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    lines = readme_lines(name)
    assert lines, f"`builder {name}` is not in README.md"
    usage = "\n".join(lines)
    for param in main.commands[name].params:
        if not isinstance(param, click.Option):
            continue
        assert any(opt in usage for opt in param.opts if opt.startswith("--")), (
            f"`builder {name} {param.opts[0]}` is not in README.md")
        if isinstance(param.type, click.Choice):
            for choice in param.type.choices:
                assert choice in usage, f"`builder {name} {param.opts[0]} {choice}`"


def test_import_and_validate_usage_in_the_readme_is_accepted(cli, tmp_path) -> None:
    """The options the README documents for import exist with those names."""
    params = {opt for p in main.commands["import"].params for opt in p.opts}
    for opt in ("--format", "--survey", "--question-ids", "--partial", "--encoding",
                "--source-url", "--observed-at", "--data"):
        assert opt in params
    (tmp_path / "empty").mkdir()
    assert cli("validate", "--data", tmp_path / "empty").output == (
        f"{tmp_path / 'empty'}: ok: 0 survey(s), 0 question(s), 0 answer(s)\n")
    missing = cli("validate", "--data", tmp_path / "none")  # a mistyped --data is no store
    assert missing.exit_code == 1
    assert missing.output == (f"{tmp_path / 'none'}: -: missing-folder: the data folder does "
                              "not exist (a mistyped --data?)\n1 problem found\n")


def test_a_bad_option_value_is_a_usage_error(cli, tmp_path) -> None:
    result = cli("import", "x.csv", "--format", "xml", "--data", tmp_path)
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_source_url_must_be_http(cli, tmp_path) -> None:
    result = cli("import", ROOT / "tests" / "fixtures" / "formats" / "api-export.json",
                 "--source-url", "file:///etc/passwd", "--data", tmp_path / "d")
    assert result.exit_code == 1
    assert result.output == ("error: --source-url must be an http(s) URL "
                             "(got 'file:///etc/passwd')\n")
    assert not (tmp_path / "d").exists()
