"""The pages of a full render, shared by the build's two processes (generate.py).

Apart from the page modules: the downloads' process is forked before they are imported
(a tenth of a second sooner in a one-change build).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Collection, Iterator

from builder.core.errors import InternalError


class Deal(Collection[str]):
    """The pages of a full render, dealt to the build's two processes as they ask: both
    go through the plan in order and a page is rendered by the first to ask for it, so
    the downloads' process, once its own work is done, takes pages until none is left
    (from nothing, the pages are most of the build's time). The page `kept` (the
    Downloads page) stays with the build's process, which holds the downloads' sums.
    Made before the fork: the counter is shared, each process's place in the plan is its
    own."""

    UNDECIDED, DEALING, NOT_DEALING, ABANDONED = 0, 1, 2, 3

    def __init__(self, kept: str) -> None:
        self.kept = kept
        context = multiprocessing.get_context("fork")
        self._next = context.Value("l", 0)
        self._state = context.Value("b", Deal.UNDECIDED)
        self._asked = 0
        self.in_child = False

    def decide(self, dealing: bool) -> None:
        """The build's process says whether it renders every page (then it deals them)
        or a few (then it makes them alone); a build that fails first says no."""
        with self._state.get_lock():
            if self._state.value == Deal.UNDECIDED:
                self._state.value = Deal.DEALING if dealing else Deal.NOT_DEALING

    def abandon(self) -> None:
        """The build's process failed (or is done): the other takes nothing more."""
        self._state.value = Deal.ABANDONED

    def decided(self) -> int:
        """In the downloads' process: wait for the decision, made once the pages are
        planned and checked against the hand-written ones (soon after the store is read;
        a build that fails first abandons the deal, so there is always one)."""
        parent = os.getppid()
        while (state := self._state.value) == Deal.UNDECIDED and os.getppid() == parent:
            time.sleep(0.005)
        return int(state)

    def __contains__(self, path: object) -> bool:
        if path == self.kept:
            return not self.in_child
        at, self._asked = self._asked, self._asked + 1
        with self._next.get_lock():
            if self._next.value != at or (self.in_child
                                          and self._state.value == Deal.ABANDONED):
                return False
            self._next.value = at + 1
            return True

    def __iter__(self) -> Iterator[str]:
        raise InternalError("a deal is asked page by page")

    def __len__(self) -> int:
        raise InternalError("a deal is asked page by page")
