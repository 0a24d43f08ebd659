"""mkdocs.yml is read with PyYAML, and MkDocs' own tags do not stop it."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.core.errors import BuilderError
from builder.publish.mkdocs_config import config_value, mkdocs_config, theme_dir

TAGGED = """\
site_name: Example
site_url: 'https://example.org/record/'   # a comment
docs_dir: !ENV [DOCS_DIR, docs]
theme:
  name: material
  custom_dir: "overrides"
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
  - pymdownx.snippets:
      base_path: !relative $config_dir
"""


def test_tags_mkdocs_knows_are_read_as_unknown_values(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(TAGGED, encoding="utf-8")
    assert mkdocs_config(config)["markdown_extensions"][0] == {
        "pymdownx.emoji": {"emoji_index": None}}
    assert config_value(config, "site_url") == "https://example.org/record/"
    assert config_value(config, "docs_dir") is None  # an !ENV value: not known here
    assert config_value(config, "theme") is None  # not text
    assert theme_dir(config) == tmp_path / "overrides"


def test_the_project_config_names_its_overrides() -> None:
    root = Path(__file__).resolve().parents[2]
    assert theme_dir(root / "mkdocs.yml") == root / "overrides"
    assert config_value(root / "mkdocs.yml", "docs_dir") == "docs"


def test_a_config_that_is_not_yaml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: [unclosed\n", encoding="utf-8")
    with pytest.raises(BuilderError, match="mkdocs.yml: not a YAML file MkDocs can read"):
        mkdocs_config(config)
