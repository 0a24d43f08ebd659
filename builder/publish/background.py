"""Work done in another process: the downloads while this one renders the pages, and a
full MkDocs build in a fresh interpreter.

After a change most of the builder's time is the whole-dataset downloads (remade after
any change); the pages and the search index need none of them but the Downloads page,
which needs only their sizes and checksums. So the downloads are written by a forked
child (it shares the loaded store, copy on write) and this process waits for it only
when it asks for those sums. Each process keeps its own memory.

A full MkDocs build holds every page of the site; run after the builder's own work in
the same process, it would add its memory to what the store and the pages' index left
(1.1 GiB at ten times the realistic size), so it runs in fresh processes
(`in_fresh_processes`: one per share of the pages, site_step.run_mkdocs), which start with
none of it.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, Generic, Protocol, TypeVar, cast

from builder.core.errors import BuildFailed, InternalError
from builder.publish.write import FileInfo


class Files(Protocol):
    """What the child makes (opendata.produce.Downloads): files by path."""

    @property
    def files(self) -> Mapping[str, FileInfo]: ...


T = TypeVar("T", bound=Files)
R = TypeVar("R")


def _message(make: Callable[[], object]) -> bytes:
    """make()'s result, or its error, pickled for the parent."""
    try:
        result: tuple[str, Any] = ("ok", make())
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
        result = ("error", exc)
    try:
        message = pickle.dumps(result)
        pickle.loads(message)  # an error the parent could not unpickle is sent as text
    except Exception:  # noqa: BLE001
        message = pickle.dumps(("error", BuildFailed(f"{result[1]}")))
    return message


def _child(make: Callable[[], object], out: Connection) -> None:
    out.send_bytes(_message(make))
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


FRESH = "from builder.publish.background import serve; serve()"
"""What a fresh process runs: not multiprocessing's spawn, which imports the caller's
main module again (a script that builds without `if __name__ == "__main__"` would run
twice)."""


def serve() -> None:
    """In a fresh process: the modules named as arguments imported, then the pickled
    callable from standard input run, its pickled result (or error) to standard output;
    nothing at all if standard input ends first (the work was not needed)."""
    for name in sys.argv[1:]:
        importlib.import_module(name)
    try:
        make = pickle.load(sys.stdin.buffer)
    except EOFError:
        return
    sys.stdout.buffer.write(_message(make))


class FreshProcesses:
    """`count` new interpreters started now, each given its work later (`run`), so that
    their start-up (the interpreter and the `preload` modules: MkDocs and the builder,
    about 0.4 s each) is done while the caller works. `close` ends those never given
    any."""

    def __init__(self, count: int, preload: Sequence[str] = ()) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(Path(__file__).resolve().parents[2]),
                        os.environ.get("PYTHONPATH")) if p)}
        self.count = count
        self._running = [subprocess.Popen([sys.executable, "-c", FRESH, *preload],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          env=env) for _ in range(count)]

    def run(self, makes: list[Callable[[], R]], what: str) -> list[R]:
        """Each make() in one of the processes (as many as there are), all at once;
        their results in order, or the first error once all have ended (each make must
        be picklable: a module-level function or a partial of one); `what` names them in
        the error if one dies."""
        if len(makes) != self.count:
            raise InternalError(f"{len(makes)} task(s) for {self.count} process(es)")
        running, self._running = self._running, []
        for process, make in zip(running, makes, strict=True):
            with cast(IO[bytes], process.stdin) as stdin:  # a pipe: Popen was asked for one
                stdin.write(pickle.dumps(make))
        outcomes = [_ended(process, what) for process in running]
        for _, error in outcomes:
            if error is not None:
                raise error
        return [cast(R, value) for value, _ in outcomes]

    def close(self) -> None:
        for process in self._running:
            cast(IO[bytes], process.stdin).close()
            cast(IO[bytes], process.stdout).close()
            process.wait()
        self._running = []


def _ended(process: subprocess.Popen[bytes], what: str) -> tuple[Any, BaseException | None]:
    with cast(IO[bytes], process.stdout) as stdout:
        message = stdout.read()
    process.wait()
    try:
        status, value = pickle.loads(message)
    except (EOFError, pickle.UnpicklingError):
        status, value = "error", BuildFailed(
            f"the process {what} ended with status {process.returncode} before it was done")
    if status == "ok":
        return value, None
    return None, value if isinstance(value, BaseException) else InternalError(value)


def in_fresh_processes(makes: list[Callable[[], R]], what: str) -> list[R]:
    """FreshProcesses.run in as many processes, started now."""
    return FreshProcesses(len(makes)).run(makes, what)


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
        """Wait for the child to end (a build never returns while it still writes). A
        result not asked for is read and dropped: a child whose message is larger than
        the pipe holds could not end before it is read."""
        if self._done is None and not self._receive.closed:
            with contextlib.suppress(EOFError, OSError):
                self._receive.recv_bytes()
        self._process.join()
        self._receive.close()

    def __getitem__(self, key: str) -> FileInfo:
        return self.result().files[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.result().files)

    def __len__(self) -> int:
        return len(self.result().files)
