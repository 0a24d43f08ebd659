"""Crash-safe saves: the mechanics under the store's writing part (locks: store.lock).

A save (`write_files`) is all-or-nothing across every file it touches, even when the
process is killed at any point of it:

1. each new file is written (and fsynced) into a staging folder inside the root; a file
   whose folder does not exist yet is staged inside a copy of that folder, so the folder
   appears with its files in one rename (a failed save never leaves an empty folder);
2. a journal naming every planned rename and removal is written, fsynced and renamed
   into place: this is the commit point;
3. the renames and removals are done, then the journal and the staging folder removed.

The next one to take the lock or save (`complete_pending`) finds either no journal (any
staging folder is then an unfinished save: removed, the old state stays) or a journal
(its steps are completed: the new state). Every step can be done twice, so a crash
during the recovery is recovered the same way.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from builder.core.errors import BuilderError

FILE_MODE, DIR_MODE = 0o644, 0o755
"""Published and committed files are world-readable whatever the umask, so that any web
server, artifact step or other user can serve them."""

JOURNAL = ".save-journal"
STAGING_PREFIX = ".save-staging-"
FAULT_ENV = "BUILDER_FAULT_INJECTION"
"""Set by tests only: 'kill:N' sends SIGKILL to this process after the N-th step of the
saves it makes (a staged file, the journal, a rename, ...), 'term:N' sends it SIGTERM
there, 'enospc:N' makes the N-th file write fail as on a full disk."""


class SaveFailed(BuilderError):
    """A save could not be made; the folder is as it was."""


class SaveInterrupted(BuilderError):
    """Stopped (Ctrl-C, SIGTERM) after the commit point: the save stands, and the next
    command to take the lock finishes putting its files in place."""


# -- fault injection (tests only) ------------------------------------------------------

_counts = {"kill": 0, "term": 0, "enospc": 0}


def _fault(kind: str) -> None:
    """kind 'step' after each step of a save, 'write' before each file written."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    what, _, number = spec.partition(":")
    if (what, kind) not in (("kill", "step"), ("term", "step"), ("enospc", "write")):
        return
    _counts[what] += 1
    if _counts[what] != int(number):
        return
    if what in ("kill", "term"):
        os.kill(os.getpid(), signal.SIGKILL if what == "kill" else signal.SIGTERM)
        return
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- the save ----------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes, durable: bool) -> None:
    _fault("write")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fd, FILE_MODE)  # not the umask's choice: see FILE_MODE
        fh.write(data)
        fh.flush()
        if durable:
            os.fsync(fd)
    _fault("step")


def _first_missing(root: Path, rel_dir: str) -> str | None:
    """The outermost folder of rel_dir (relative to root) that does not exist yet."""
    parts = Path(rel_dir).parts
    for n in range(1, len(parts) + 1):
        if not (root.joinpath(*parts[:n])).is_dir():
            return Path(*parts[:n]).as_posix()
    return None


def _put(staged: Path, data: bytes | Path, durable: bool) -> None:
    """A new file in the staging folder: bytes written, or a file of the same file
    system renamed there (move_files)."""
    if isinstance(data, bytes):
        _write_new(staged, data, durable)
        return
    os.chmod(data, FILE_MODE)
    os.replace(data, staged)
    _fault("step")


def _stage(root: Path, staging: Path, changed: Mapping[str, bytes | Path],
           durable: bool) -> list[list[str]]:
    """Put every changed file into staging; returns the renames [staged, target]."""
    moves: list[list[str]] = []
    new_dirs: dict[str, Path] = {}
    for rel, data in changed.items():
        top = _first_missing(root, Path(rel).parent.as_posix())
        if top is None:
            staged = staging / str(len(moves))
            moves.append([staged.relative_to(root).as_posix(), rel])
        else:
            if top not in new_dirs:
                new_dirs[top] = staging / f"d{len(moves)}"
                moves.append([new_dirs[top].relative_to(root).as_posix(), top])
            staged = new_dirs[top] / Path(rel).relative_to(top)
            for folder in reversed([staged.parent, *staged.parent.parents]):
                if folder.is_relative_to(new_dirs[top]) and not folder.is_dir():
                    folder.mkdir(mode=DIR_MODE)
                    os.chmod(folder, DIR_MODE)
        _put(staged, data, durable)
    if durable:
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            _fsync_dir(folder)
    return moves


def _inside(root: Path, rel: str) -> Path:
    path = root / rel
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise BuilderError(f"{root / JOURNAL}: names a path outside {root}: {rel!r}")
    return path


def _apply(root: Path, plan: dict[str, Any], durable: bool) -> None:
    """Do the journal's renames and removals (those not done yet), then drop it."""
    touched = {root}
    for staged, target in plan["moves"]:
        src, dst = _inside(root, staged), _inside(root, target)
        if os.path.lexists(src):
            os.replace(src, dst)
            touched.add(dst.parent)
            _fault("step")
    for rel in plan["remove"]:
        path = _inside(root, rel)
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
        touched.add(parent)
        _fault("step")
    if durable:
        for folder in sorted(touched):
            if folder.is_dir():
                _fsync_dir(folder)
    (root / JOURNAL).unlink()
    if durable:
        _fsync_dir(root)
    _fault("step")
    shutil.rmtree(_inside(root, plan["staging"]), ignore_errors=True)


def save_pending(root: Path) -> bool:
    """A save was cut short here: a journal, or the staged files of an uncommitted one."""
    with os.scandir(root) as entries:
        return any(entry.name.startswith((STAGING_PREFIX, JOURNAL)) for entry in entries)


def complete_pending(root: Path, durable: bool = True) -> None:
    """Finish a save that was committed but cut short; drop one that was not committed."""
    if not root.is_dir():
        return
    journal = root / JOURNAL
    if journal.exists():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
            if not (isinstance(plan, dict) and isinstance(plan.get("staging"), str)
                    and isinstance(plan.get("moves"), list)
                    and isinstance(plan.get("remove"), list)):
                raise ValueError("not a save journal")
        except (ValueError, UnicodeDecodeError) as exc:
            raise BuilderError(f"{journal}: unreadable save journal ({exc}); it was not "
                               "written by this tool") from exc
        _apply(root, plan, durable)
    for leftover in root.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    (root / (JOURNAL + ".tmp")).unlink(missing_ok=True)


def _changed(root: Path, files: Mapping[str, str | bytes]) -> dict[str, bytes]:
    changed: dict[str, bytes] = {}
    for rel, content in sorted(files.items()):
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = root / rel
        if not target.is_file() or target.read_bytes() != data:
            changed[rel] = data
    return changed


def write_files(root: Path, files: Mapping[str, str | bytes], *,
                remove: tuple[str, ...] = (), durable: bool = True) -> list[str]:
    """Write the files whose content changed and remove `remove`: all or nothing, even
    if the process is killed. Returns the paths written. `durable` fsyncs (data/; docs/
    can be rendered again). Text is written as UTF-8 with \\n line ends; bytes as they are.
    """
    complete_pending(root, durable)
    changed = _changed(root, files)
    gone = [rel for rel in sorted(set(remove) - set(files)) if (root / rel).exists()]
    if not changed and not gone:
        return []
    if not root.is_dir():
        root.mkdir(parents=True)
        os.chmod(root, DIR_MODE)
    _save(root, changed, gone, durable)
    return sorted(changed)


def _save(root: Path, changed: Mapping[str, bytes | Path], gone: list[str],
          durable: bool) -> None:
    """Commit (stage and journal), then apply."""
    plan = _commit(root, changed, gone, durable)
    try:
        if durable:
            _fsync_dir(root)
        _fault("step")
        _apply(root, plan, durable)
    except OSError as exc:
        raise SaveFailed(f"the save into {root} was interrupted ({exc.filename}: "
                         f"{exc.strerror}); the next command completes it") from exc
    except KeyboardInterrupt as exc:  # after the commit point: the save is made, not undone
        raise SaveInterrupted(f"interrupted after the save into {root} was committed: it is "
                              "kept, and the next command completes it") from exc


def move_files(root: Path, files: Mapping[str, Path], *, durable: bool = True) -> None:
    """Move the files (paths relative to root -> files already written on root's file
    system) into root in one save, all or nothing as write_files: for files too large
    to hold in memory, or written by another program (MkDocs)."""
    complete_pending(root, durable)
    if files:
        _save(root, dict(sorted(files.items())), [], durable)


def _commit(root: Path, changed: Mapping[str, bytes | Path], gone: list[str],
            durable: bool) -> dict[str, Any]:
    """Stage the new files and write the journal (the commit point); its plan. On any
    failure nothing of it is left and the folder is as it was."""
    staging: Path | None = None
    tmp = root / (JOURNAL + ".tmp")
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        moves = _stage(root, staging, changed, durable)
        plan = {"staging": staging.name, "moves": moves, "remove": gone}
        _write_new(tmp, (json.dumps(plan, ensure_ascii=False) + "\n").encode(), durable)
        os.replace(tmp, root / JOURNAL)  # the commit point
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        where = exc.filename or root
        raise SaveFailed(f"cannot save into {root}: {where}: {exc.strerror or exc}; "
                         "nothing was changed") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return plan
