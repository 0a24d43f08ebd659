"""Work done in another process: the downloads while this one renders the pages, and a
full MkDocs build in a fresh interpreter.

After a change most of the builder's time is the whole-dataset downloads (remade after
any change); the pages and the search index need none of them but the Downloads page,
which needs only their sizes and checksums. So the downloads are written by a forked
child (it shares the loaded store, copy on write) and this process waits for it only
when it asks for those sums. Each process keeps its own memory.

A full MkDocs build holds every page of the site; run after the builder's own work in
the same process, it would add its memory to what the store and the pages' index left
(1.1 GiB at ten times the realistic size), so it runs in a spawned process of its own
(`in_fresh_process`), which starts with none of it.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any, Generic, Protocol, TypeVar, cast

from builder.core.errors import BuildFailed, InternalError
from builder.publish.write import FileInfo


class Files(Protocol):
    """What the child makes (opendata.produce.Downloads): files by path."""

    @property
    def files(self) -> Mapping[str, FileInfo]: ...


T = TypeVar("T", bound=Files)
R = TypeVar("R")


def _child(make: Callable[[], object], out: Connection) -> None:
    try:
        result: tuple[str, Any] = ("ok", make())
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
        result = ("error", exc)
    try:
        message = pickle.dumps(result)
        pickle.loads(message)  # an error the parent could not unpickle is sent as text
    except Exception:  # noqa: BLE001
        message = pickle.dumps(("error", BuildFailed(f"{result[1]}")))
    out.send_bytes(message)
    out.close()


def _outcome(receive: Connection, process: multiprocessing.process.BaseProcess,
             what: str) -> Any:
    """The child's result; its error, if it failed, raised here."""
    try:
        status, value = pickle.loads(receive.recv_bytes())
    except EOFError:
        process.join()
        status, value = "error", BuildFailed(
            f"the process {what} ended with status {process.exitcode} before it was done")
    finally:
        process.join()
        receive.close()
    if status != "ok":
        raise value if isinstance(value, BaseException) else InternalError(value)
    return value


def in_fresh_process(make: Callable[[], R], what: str) -> R:
    """make() in a new interpreter (make must be picklable: a module-level function or a
    partial of one); `what` names it in the error if the process dies."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(make, send), daemon=True)
    process.start()
    send.close()
    return cast(R, _outcome(receive, process, what))


class InBackground(Mapping[str, FileInfo], Generic[T]):
    """The downloads being made: a mapping of their FileInfo that waits for them."""

    def __init__(self, make: Callable[[], T]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(make, send), daemon=True)
        self._process.start()
        send.close()
        self._done: T | None = None

    def result(self) -> T:
        """Wait for the child; its error, if it failed, is raised here."""
        if self._done is None:
            self._done = cast(T, _outcome(self._receive, self._process,
                                          "writing the downloads"))
        return self._done

    def close(self) -> None:
        """Wait for the child to end (a build never returns while it still writes)."""
        self._process.join()
        self._receive.close()

    def __getitem__(self, key: str) -> FileInfo:
        return self.result().files[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.result().files)

    def __len__(self) -> int:
        return len(self.result().files)
