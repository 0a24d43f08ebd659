"""The work folder's writers never write outside it: not by a path's text (absolute, `..`)
and not through a symbolic link placed on the way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.core.errors import BuildFailed
from builder.publish.write import StreamedFiles, write_pages


def _outside_untouched(outside: Path) -> None:
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("rel", ["../escaped.md", "a/../../escaped.md", "/tmp/escaped.md", ""])
def test_a_path_that_leaves_the_folder_is_refused(tmp_path: Path, rel: str) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    outside.mkdir()
    with pytest.raises(BuildFailed, match="refusing to write"):
        write_pages({"ok/index.md": "fine", rel: "escaped"}, work)
    with pytest.raises(BuildFailed, match="refusing to write"):
        StreamedFiles(work).plan(["ok.csv", rel])
    _outside_untouched(outside)
    assert not (tmp_path / "escaped.md").exists()


def test_a_symbolic_link_on_the_way_is_refused(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    (work / "surveys").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, work / "surveys" / "linked")
    with pytest.raises(BuildFailed, match="symbolic link"):
        write_pages({"surveys/linked/index.md": "escaped"}, work)
    out = StreamedFiles(work)
    with pytest.raises(BuildFailed, match="symbolic link"), \
            out.open("surveys/linked/data.csv") as sink:
        sink.write(b"escaped")
    _outside_untouched(outside)


def test_a_linked_file_is_refused_too(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    os.symlink(outside / "target.md", work / "page.md")
    with pytest.raises(BuildFailed, match="symbolic link"):
        write_pages({"page.md": "escaped"}, work)
    _outside_untouched(outside)


def test_nested_pages_are_written_and_listed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    report = write_pages({"a/b/index.md": "one", "a/c/index.md": "two", "top.md": "three"},
                         work)
    assert sorted(report.written) == ["a/b/index.md", "a/c/index.md", "top.md"]
    assert (work / "a" / "c" / "index.md").read_text() == "two"
    removed = write_pages({"top.md": "three"}, work).removed
    assert sorted(removed) == ["a/b/index.md", "a/c/index.md"]
    assert not (work / "a").exists()  # emptied folders go with their pages


def _claim_in_turns(root: str, prefix: str) -> None:
    for n in range(40):
        StreamedFiles(Path(root)).plan([f"{prefix}/{n}.csv"])


def test_two_processes_claiming_at_once_lose_no_claim(tmp_path: Path) -> None:
    """The pages' and the downloads' processes add to the manifest at the same time: each
    read-modify-write holds the manifest's lock, so neither overwrites the other's."""
    import json
    import multiprocessing

    from builder.publish.write import MANIFEST

    work = tmp_path / "work"
    work.mkdir()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_claim_in_turns, args=(str(work), name))
               for name in ("pages", "downloads")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    claimed = set(json.loads((work / MANIFEST).read_text()))
    assert claimed == {f"{name}/{n}.csv" for name in ("pages", "downloads") for n in range(40)}
