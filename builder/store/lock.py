"""Folder locks: one writer or many readers of a folder (the store, a site), across
processes (flock) and re-entrant within a thread. Taking a lock completes a save that a
crash left pending (builder.store.durable), so every holder sees a whole state.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from builder.core.clock import utc_text
from builder.core.errors import BuilderError
from builder.store.durable import DIR_MODE, FILE_MODE, complete_pending, save_pending

LOCK_FILE = ".lock"
"""data/.lock while a command uses the store (removed after): flock'ed, exclusively by a
writer (holding its pid and start time), shared by readers."""
LOCK_GRACE = 0.5
"""Seconds a lock is retried even without --wait: a holder may be just letting go."""


class LockBusy(BuilderError):
    """Another process holds the lock."""


_held = threading.local()


def _holder(fd: int) -> dict[str, str]:
    """What the lock file says of its holder: {doing}, {holder} for the busy message."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return {"doing": "reading" if info.get("shared") else "changing",
                "holder": f"pid {int(info['pid'])}, since {info['since']}"}
    except (ValueError, KeyError, TypeError, OSError, AttributeError):
        return {"doing": "using", "holder": "pid unknown"}


def _open_lock(path: Path, shared: bool) -> int | None:
    """The lock file's descriptor; None for a reader of a folder it cannot write to."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        if shared and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return None  # a read-only store: nobody can be changing it through this lock
        raise BuilderError(f"{path}: cannot create the lock file: "
                           f"{exc.strerror or exc}") from exc


def _acquire(root: Path, path: Path, shared: bool, wait: float,
             busy: str) -> tuple[int | None, bool]:
    """Lock `path`; shared is made exclusive when a save cut short must be dealt with."""
    deadline = time.monotonic() + max(wait, LOCK_GRACE)
    while True:
        exclusive = not shared or save_pending(root)
        fd = _open_lock(path, not exclusive)
        if fd is None:
            return None, False
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise LockBusy(busy.format(**holder)) from None
            time.sleep(0.05)
            continue
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same and (exclusive or not save_pending(root)):
            return fd, exclusive
        os.close(fd)  # the file was removed by a holder letting go, or a save is pending


def _release(path: Path, fd: int | None) -> None:
    """The last holder removes the lock file, so a finished command leaves no trace."""
    if fd is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink(missing_ok=True)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def folder_lock(root: Path, name: str, *, shared: bool = False, wait: float = 0.0,
                busy: str = "another command is {doing} it ({holder})") -> Iterator[None]:
    """Hold `root/name` with flock: exclusive to write, shared to read; re-entrant in a
    thread. A save left pending by a crash is completed first. `busy` is the message when
    it stays taken ('{doing}': changing or reading; '{holder}': its pid and start time)."""
    key = str(root.resolve())
    held: dict[str, list[Any]] = _held.__dict__.setdefault("locks", {})
    if key in held:  # this thread holds it already
        if held[key][0] and not shared:
            raise RuntimeError(f"{root}: exclusive lock asked for under a shared one")
        held[key][1] += 1
        try:
            yield
        finally:
            held[key][1] -= 1
        return
    if not root.is_dir() and shared:  # nothing to read, nothing to complete
        yield
        return
    created = _make_folder(root)
    path = root / name
    fd, exclusive = _acquire(root, path, shared, wait, busy)
    try:
        if fd is not None:  # who holds it, for the message of whoever finds it taken
            info = {"pid": os.getpid(), "since": utc_text(), "shared": not exclusive}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        if exclusive:
            complete_pending(root)
        held[key] = [shared and not exclusive, 1]
        yield
    finally:
        held.pop(key, None)
        _release(path, fd)
        for folder in created:  # innermost first: a folder made only to hold the lock
            with contextlib.suppress(OSError):
                folder.rmdir()


def _make_folder(root: Path) -> list[Path]:
    """Create `root` (world-readable, whatever the umask) if missing; the folders made."""
    if root.is_dir():
        return []
    created = [p for p in [root, *root.parents] if not p.exists()]
    root.mkdir(parents=True)
    for folder in created:
        os.chmod(folder, DIR_MODE)
    return created
