"""A template error names the template file and its line, never `:None`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.core.errors import BuildFailed
from builder.publish.build import TEMPLATES_DIR
from builder.publish.pages.template import make_environment, render_template


def failure(templates: Path, template: str, **context: object) -> str:
    with pytest.raises(BuildFailed) as caught:
        render_template(make_environment(templates), template, "some/page.md", **context)
    return caught.value.message


def test_an_error_while_rendering_names_the_line_of_the_included_template(
        tmp_path: Path) -> None:
    (tmp_path / "page.md.j2").write_text("# Title\n{% include 'part.md.j2' %}\n")
    (tmp_path / "part.md.j2").write_text("one\ntwo {{ answer.text }}\n")
    message = failure(tmp_path, "page.md.j2", answer={})
    assert message.startswith("part.md.j2:2: ") and message.endswith("(while rendering "
                                                                       "some/page.md)")


def test_a_syntax_error_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.md.j2").write_text("fine\n\n{% if %}\n")
    assert failure(tmp_path, "broken.md.j2").startswith("broken.md.j2:3: ")


def test_a_real_template_without_its_context_names_file_and_line() -> None:
    message = failure(TEMPLATES_DIR, "downloads.md.j2")  # its banner include fails first
    assert re.match(r"_banner\.md\.j2:[0-9]+: 'demo' is undefined", message), message
    assert ":None" not in message
