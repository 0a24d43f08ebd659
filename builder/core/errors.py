"""Problems found in input, and the errors that end a command with exit status 1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import click

MAX_VALUE_SHOWN = 80
MAX_ISSUES_SHOWN = 200


def terminal_safe(text: str) -> str:
    """Text from outside (a reason phrase, a URL, a header, a CA name), safe to print.

    Every character that is not printable (control characters such as ESC or CR, line
    ends, bidi controls, other format characters, private-use and unassigned code points,
    spaces other than ' ') is written as its Python escape (`\\x1b`, `\\u202e`), so it
    shows instead of acting on the terminal. Printable text is left as it is, so applying
    this twice changes nothing.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shorten(value: str, limit: int = MAX_VALUE_SHOWN) -> str:
    """Cut a long offending value so one bad field cannot flood the terminal."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Issue:
    """One problem in one place of one input: where, what, and which rule."""

    path: str
    """File name or URL of the input."""
    line: int | None
    """1-based line of the input, when known."""
    column: int | None
    """1-based column (character) on that line, when known."""
    field: str
    """Column name, JSON key or HTML part the problem is in; '-' for the whole input."""
    code: str
    """Stable rule name, e.g. 'invalid-utf8', 'duplicate-header'."""
    message: str
    """What is wrong, in words."""
    value: str | None = None
    """The offending value, as found."""
    warning: bool = False
    """A warning is printed but does not fail the command."""

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        # A field named by the input (a CSV header, a JSON key) is shown quoted when it
        # could break the line or the terminal: empty, a control character, ': '.
        field = self.field
        if not field or not field.isprintable() or ": " in field:
            field = repr(shorten(field))
        text = f"{where}: {field}: {self.code}: {self.message}"
        if self.value is not None:
            text += f" (got {shorten(self.value)!r})"
        return terminal_safe(text)  # the path and message may quote the input too


def format_issues(issues: Iterable[Issue]) -> str:
    """One issue per line (capped), then a count."""
    issues = list(issues)
    errors = [i for i in issues if not i.warning]
    lines = [str(i) for i in issues[:MAX_ISSUES_SHOWN]]
    if len(issues) > MAX_ISSUES_SHOWN:
        lines.append(f"... and {len(issues) - MAX_ISSUES_SHOWN} more")
    noun = "problem" if len(errors) == 1 else "problems"
    lines.append(f"{len(errors)} {noun} found")
    return "\n".join(lines)


class BuilderError(click.ClickException):
    """An error that ends a command with exit status 1 and one clear message."""

    exit_code = 1

    def format_message(self) -> str:
        # Messages quote URLs, server replies and names from exports: each line is made
        # safe to print (line ends are the message's own).
        return "\n".join(terminal_safe(line) for line in self.message.split("\n"))

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class InputRejected(BuilderError):
    """The input had problems; every one of them is listed, then the count."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(format_issues(issues))

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(self.format_message(), err=True, file=file)


class FetchError(BuilderError):
    """A source could not be fetched or was not the kind of document expected."""


class InternalError(BuilderError):
    """A broken invariant of the builder itself: a bug, never bad input (no `assert`,
    which `python -O` would drop)."""


class BuildFailed(BuilderError):
    """The site could not be built; the previous site is left as it was."""
