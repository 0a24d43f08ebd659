"""The stage folders of builder/ import only downward (docs/architecture.md).

Every import in every module counts, at the top or inside a function or a TYPE_CHECKING
block, read from the source with ast (nothing is imported to check it).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "builder"
STAGES = ("core", "store", "ingest", "publish", "tools")
MAY_IMPORT = {
    "core": {"core"},
    "store": {"core", "store"},
    "ingest": {"core", "store", "ingest"},
    "publish": {"core", "store", "publish"},
    "tools": {"core", "store", "ingest", "publish", "tools"},
    "cli": {"core", "store", "ingest", "publish", "tools"},
    "__main__": {"cli"},
}
"""Stage -> the stages its modules may import; `builder` itself (its version) is free.
Nothing imports tools but the CLI, and nothing imports the CLI but `python -m builder`."""
TOP_LEVEL = {"__init__", "__main__", "cli"}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every builder import in the file."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from builder.ingest import http` imports the module builder.ingest.http
            out += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in out if name.split(".")[0] == "builder"]


def stage_of(name: str) -> str | None:
    """The stage a dotted builder name belongs to (None for the package itself)."""
    parts = name.split(".")
    if len(parts) < 2 or parts[1] == "__version__":
        return None
    return parts[1]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_sits_in_a_stage_folder() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.stem not in TOP_LEVEL]
    assert not loose, f"modules outside the stage folders {STAGES}: {loose}"
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(STAGES)


def test_every_stage_folder_says_its_entry_point_and_what_it_may_import() -> None:
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and "Entry point" in doc and "May import" in doc, stage


def test_stages_import_only_downward() -> None:
    wrong = []
    for path in modules():
        own = path.stem if path.parent == PACKAGE else stage_of(module_name(path))
        if own == "__init__":
            continue  # the package's own __init__ holds only its version
        assert own is not None
        for line, name in imported(path):
            target = stage_of(name)
            if target is not None and target not in MAY_IMPORT[own]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {name}")
    assert not wrong, "\n".join(wrong)


OPEN_DATA_USERS = ("builder.publish.generate", "builder.publish.render", "builder.publish.pages")
"""What may import builder.publish.opendata: the build (the files), the page entry point
and the pages (the Downloads page, download paths); opendata imports none of them."""


def test_the_open_data_sits_below_the_pages_and_the_build() -> None:
    wrong = []
    for path in modules():
        name = module_name(path)
        for line, target in imported(path):
            into_opendata = target.startswith("builder.publish.opendata")
            if (into_opendata and name.startswith("builder.publish")
                    and not name.startswith("builder.publish.opendata")
                    and not name.startswith(OPEN_DATA_USERS)):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {name} imports {target}")
            if name.startswith("builder.publish.opendata") and target.startswith(
                    OPEN_DATA_USERS):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {name} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    """The rules catch an upward import, including one hidden inside a function."""
    bad = tmp_path / "builder" / "store" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from builder.publish import render\n    from . import x\n")
    assert imported(bad, tmp_path) == [(2, "builder.publish.render"), (3, "builder.store.x")]
    assert stage_of("builder.publish.render") not in MAY_IMPORT["store"]


def test_only_the_cli_and_the_error_types_import_click() -> None:
    """Library code reports progress through a callback; the CLI owns every display."""
    users = sorted(module_name(p) for p in modules() if any(
        name == "click" or name.startswith("click.") for name in _third_party(p)))
    assert users == ["builder.cli", "builder.core.errors"]


def _third_party(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            out.append(node.module or "")
    return out


def test_no_assert_guards_production_code() -> None:
    """`python -O` drops asserts: invariants raise builder.core.errors.InternalError."""
    found = [f"{p.relative_to(ROOT)}:{n.lineno}" for p in modules()
             for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(n, ast.Assert)]
    assert not found, found


def test_the_tests_mirror_the_stage_folders() -> None:
    """Each test module sits in the folder of the stage it tests (tests/ingest for
    builder/ingest, ...), or in tests/browser (pages in Chromium) or tests/project (the
    checkout as a whole: CLI, install, CI, lint, types, this file)."""
    tests = ROOT / "tests"
    stages = {p.name for p in (ROOT / "builder").iterdir()
              if p.is_dir() and (p / "__init__.py").exists()}
    assert not sorted(tests.glob("test_*.py")), "a test module outside the stage folders"
    folders = {p.parent.name for p in tests.glob("*/test_*.py")}
    assert folders <= stages | {"browser", "project"}, folders - stages
    assert {"ingest", "store", "publish", "tools"} <= folders
