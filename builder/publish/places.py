"""Where a build reads and writes, and whether it has anything to do: what the last
successful build read (inputs.py) against what it would read now, known before the
store, the page makers or MkDocs are loaded (a build with nothing to do loads none of
them: most of its time was importing them)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from builder import __version__
from builder.publish import inputs
from builder.publish.mkdocs_config import theme_dir
from builder.publish.stamp import versions
from builder.publish.write import MANIFEST

CODE_DIR = Path(__file__).resolve().parents[1]
"""The builder package: its code is an input of every page."""


@dataclass(frozen=True)
class Places:
    """Where a build reads and writes."""

    data_dir: Path
    config_file: Path
    templates_dir: Path
    handwritten_dir: Path
    work_dir: Path
    site_dir: Path
    stamp: Path
    """The site's stamp file (stamp.FINGERPRINT)."""


def _trees(places: Places) -> dict[str, Path]:
    trees = {"data": places.data_dir, "templates": places.templates_dir,
             "docs": places.handwritten_dir, "config": places.config_file,
             "code": CODE_DIR}
    if (theme := theme_dir(places.config_file)) is not None:
        trees["theme"] = theme
    return trees


def code_files(now: inputs.Inputs) -> dict[str, str]:
    """The builder package's files (paths inside it) -> SHA-256, as `now` has them."""
    return {key.partition("\0")[2]: sha for key, (_, sha) in now.files.items()
            if key.partition("\0")[0] == "code"}


def _after(places: Places) -> dict[str, Path]:
    """What a build produces and the next one checks: the site's stamp, the manifest."""
    return {"site": places.stamp, "work": places.work_dir / MANIFEST}


def inputs_now(places: Places, site_url: str | None) -> tuple[inputs.Inputs | None,
                                                                inputs.Inputs]:
    """The last successful build's record and the inputs now (before reading anything)."""
    env = inputs.env_hash([f"builder {__version__}", versions(), f"site_url {site_url}",
                           *(str(p.resolve()) for p in (places.data_dir, places.config_file,
                                                        places.templates_dir,
                                                        places.handwritten_dir,
                                                        places.site_dir))])
    previous = inputs.load(places.work_dir)
    return previous, inputs.current(env, {**_trees(places), **_after(places)}, previous)


def nothing_changed(previous: inputs.Inputs | None, now: inputs.Inputs) -> bool:
    return inputs.unchanged(previous, now)


def record_success(places: Places, now: inputs.Inputs, pages: int) -> None:
    """After a build succeeded: what it read (as read before it) and what it produced."""
    made = inputs.current(now.env, _after(places), None).files
    kept = {k: v for k, v in now.files.items() if k.split("\0")[0] not in _after(places)}
    inputs.save(places.work_dir, replace(now, files={**kept, **made}, pages=pages))
