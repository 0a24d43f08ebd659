"""The other processes of a build: a fresh interpreter's result, its error, its death."""

from __future__ import annotations

import os
from functools import partial

import pytest

from builder.core.errors import BuildFailed
from builder.publish.background import in_fresh_processes
from builder.publish.opendata.layout import PAGE as DOWNLOADS_PAGE


def test_results_come_back_in_order() -> None:
    assert in_fresh_processes([partial(int, "12"), partial(str.upper, "ab")], "testing") \
        == [12, "AB"]


def test_an_error_in_a_fresh_process_is_raised_here_once_all_have_ended() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        in_fresh_processes([partial(int, "not a number"), partial(int, "1")], "testing")


def test_a_process_that_dies_is_a_build_failure_naming_it() -> None:
    with pytest.raises(BuildFailed, match="the process running mkdocs build ended with "
                                          "status 3 before it was done"):
        in_fresh_processes([partial(os._exit, 3)], "running mkdocs build")


def test_processes_started_early_import_first_then_run_what_they_are_given() -> None:
    """A full site step's processes start with the build and import MkDocs meanwhile;
    the work they are given later runs there (sys.modules shows what was imported)."""
    from builder.publish.background import FreshProcesses

    started = FreshProcesses(2, ["xml.dom.minidom"])
    loaded = partial(eval, "'xml.dom.minidom' in __import__('sys').modules")
    assert started.run([loaded, loaded], "testing") == [True, True]
    assert in_fresh_processes([loaded], "testing") == [False]  # not by itself


def test_processes_given_no_work_end_quietly_when_closed() -> None:
    from builder.core.errors import InternalError
    from builder.publish.background import FreshProcesses

    started = FreshProcesses(2)
    running = list(started._running)
    with pytest.raises(InternalError, match="1 task"):
        started.run([partial(int, "1")], "testing")
    started.close()
    assert [process.returncode for process in running] == [0, 0]


def test_a_large_result_not_asked_for_does_not_keep_its_process_waiting() -> None:
    """A build that fails before it asks for the downloads' result still waits for that
    process to end; a result larger than a pipe holds must not keep it from ending."""
    import threading

    from builder.publish.background import InBackground

    later = InBackground(partial(bytes, 4 << 20))  # type: ignore[arg-type]
    closing = threading.Thread(target=later.close, daemon=True)
    closing.start()
    closing.join(timeout=60)
    assert not closing.is_alive()


def _take(deal, paths):  # type: ignore[no-untyped-def]
    """In the downloads' process: what a Deal gives it (a Files-like result)."""
    from types import SimpleNamespace

    from builder.publish.deal import Deal

    deal.in_child = True
    if deal.decided() != Deal.DEALING:
        return SimpleNamespace(files={})
    return SimpleNamespace(files={p: None for p in paths if p in deal})


def test_a_deal_gives_each_page_to_exactly_one_process() -> None:
    """Both processes ask for every page in order; each gets those it asked for first,
    the Downloads page staying with the build's process."""
    from builder.publish.background import InBackground
    from builder.publish.deal import Deal

    paths = [f"owners/{n}.md" for n in range(3000)] + [DOWNLOADS_PAGE]
    deal = Deal(kept=DOWNLOADS_PAGE)
    later = InBackground(partial(_take, deal, paths))  # type: ignore[arg-type]
    try:
        deal.decide(True)
        mine = [p for p in paths if p in deal]
        theirs = list(later.result().files)
    finally:
        later.close()
    assert sorted(mine + theirs) == sorted(paths)
    assert DOWNLOADS_PAGE in mine and DOWNLOADS_PAGE not in theirs


def test_a_deal_not_made_gives_the_other_process_nothing() -> None:
    from builder.publish.background import InBackground
    from builder.publish.deal import Deal

    deal = Deal(kept=DOWNLOADS_PAGE)
    later = InBackground(partial(_take, deal, ["a.md", "b.md"]))  # type: ignore[arg-type]
    try:
        deal.decide(False)  # a few pages to render: the build's process makes them alone
        deal.decide(True)  # (the first decision stands)
        assert later.result().files == {}
    finally:
        later.close()


def test_an_abandoned_deal_gives_the_other_process_nothing_more() -> None:
    from builder.publish.background import InBackground
    from builder.publish.deal import Deal

    deal = Deal(kept=DOWNLOADS_PAGE)
    later = InBackground(partial(_take, deal, ["a.md", "b.md"]))  # type: ignore[arg-type]
    try:
        deal.abandon()  # the build failed before it decided
        assert later.result().files == {}
    finally:
        later.close()
