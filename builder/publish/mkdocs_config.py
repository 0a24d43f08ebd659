"""mkdocs.yml read as data: the one place the builder reads MkDocs' configuration (the
build for docs_dir and site_url, the site's stamp for the theme's custom_dir)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from builder.core.errors import BuilderError


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading every tag it does not know (MkDocs' !ENV and
    !relative, python/name:...) as an unknown value (None) instead of failing."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as a mapping (empty when the file holds none); read by the caller only."""
    try:
        return _parsed(config_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuilderError(f"{config_file}: not a YAML file MkDocs can read: {exc}") from exc


@lru_cache(maxsize=4)
def _parsed(text: str) -> dict[str, Any]:
    """Parsed once per text: a build asks for its settings five times (7 ms each)."""
    loaded = yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a safe loader
    return loaded if isinstance(loaded, dict) else {}


def config_value(config_file: Path, key: str) -> str | None:
    """A top-level setting of mkdocs.yml given as text; None where absent or not text."""
    value = mkdocs_config(config_file).get(key)
    return value if isinstance(value, str) and value else None


def theme_dir(config_file: Path) -> Path | None:
    """The theme's custom_dir (template overrides) named in mkdocs.yml, if any."""
    theme = mkdocs_config(config_file).get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return config_file.parent / custom if isinstance(custom, str) and custom else None
