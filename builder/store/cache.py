"""Surveys as read before, kept between builds so that a build reads from text only the
surveys whose files changed (issue #16).

`builder build` passes a SurveyCache in its work folder to load_store; other commands
read the text. An entry is one survey's SurveyData, pickled, in a file named after its
folder, under a key that is a SHA-256 of the SHA-256 of each of the survey's files (of
the very bytes parsed on a miss, read once), its folder's name and the code that reads
and checks records (builder/core and builder/store, the Python version). A build gives
the hashes its input record holds (`recorded`): an unchanged survey's files are then not
read at all. A survey whose reading
gave any issue is never kept: its issues are reported by every build. An entry that is
damaged, cut short, of other files or of other code is a miss, never an error: its bytes
carry their own digest, and only the record classes may be unpickled. Entries are
written to a temporary file and renamed into place.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import multiprocessing
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from builder.core import model
from builder.core.errors import InternalError, Issue
from builder.core.model import SurveyData
from builder.store.surveys import SURVEY_FILES, read_survey, survey_bytes

FORMAT = b"csr-store-cache 1\n"
"""The first bytes of an entry: another layout is a miss."""
_DIGEST = 32  # bytes of a SHA-256
_PROTOCOL = 5


PACKAGE = Path(__file__).resolve().parents[1]
"""builder/, whose core/ and store/ define the records and their checks."""


def code_digest(package: Path = PACKAGE) -> bytes:
    """What reading a survey depends on besides its bytes: the code of builder/core and
    builder/store (the records, their checks, this format) and the Python version."""
    digest = hashlib.sha256(f"{sys.version} pickle {_PROTOCOL}\n".encode() + FORMAT)
    # .pyc too: an installation without sources has its compiled modules there.
    code = sorted(path for folder in ("core", "store") for path in package.glob(f"{folder}/*")
                  if path.suffix in (".py", ".pyc"))
    for path in code:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    if not code:  # code that cannot be told from other code never gets an entry
        digest.update(os.urandom(_DIGEST))
    return digest.digest()


class _Records(pickle.Unpickler):
    """Unpickles the record classes of a survey and nothing else: an entry cannot make
    pickle call any other function (builtins, os.system, ...)."""

    ALLOWED = {("builder.core.model", name): getattr(model, name)
               for name in ("SurveyData", "Survey", "Question", "Answer", "Change")}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"not a survey record: {module}.{name}") from None


_RECORD_TYPES = frozenset(_Records.ALLOWED.values())


class SurveyCache:
    """The entries in `root` (made when first written). `code` is code_digest() unless a
    test says otherwise. Entries are written by save(), once the caller's folder is ready
    (a build: once its work folder is claimed, so a build that fails reading the store
    leaves no folder that the next one would not recognise as its own). trusted=False
    (`builder build --full`): every survey is read from text, its entry written again."""

    def __init__(self, root: Path, code: bytes | None = None, *, trusted: bool = True,
                 recorded: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.root, self.trusted = root, trusted
        self.recorded = recorded or {}
        """Folder name -> its files' SHA-256 (hex) by name, as the caller last hashed
        them (a build's input record): an entry under the key they give is used without
        the files being read; a survey read from text is kept under its bytes' own key."""
        self.code = code_digest() if code is None else code
        self.pending: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.hits = 0

    def read(self, folder: Path, issues: list[Issue]) -> SurveyData | None:
        """read_survey(folder, issues), from the entry if its key matches."""
        return self.read_all([folder], issues)[0]

    def read_all(self, folders: Sequence[Path],
                 issues: list[Issue]) -> list[SurveyData | None]:
        """read() of each folder, in order. When there is enough to do (a build from
        nothing, after a change to the code that reads them, or one changed survey among
        kept ones), a forked child reads a share of the surveys to be read from text and
        sends each one's sealed record (which an entry holds: made in any case), which
        this process loads, while this one loads the kept entries and reads the rest; if
        the child fails, this process reads its share as well (a slower build, never a
        wrong one)."""
        found = [self._lookup(folder) for folder in folders]
        misses = [f for f in found if f.entry is None]
        theirs = _their_share(misses, sum(len(f.entry or b"") for f in found))
        sent = _in_child(partial(_sealed_all, theirs)) if theirs else None
        for f in found:
            if f.entry is not None:
                self._from_entry(f)
        mine = set(map(id, theirs))
        for f in found:
            if not f.done and id(f) not in mine:  # a miss, or an entry found damaged
                self._from_text(f)
        if sent is not None:
            for f, (sealed, issues_there) in zip(theirs, sent() or [], strict=False):
                f.issues += issues_there
                self._from_sealed(f, sealed, None)
            for f in theirs:
                if not f.done:  # the child failed: read here
                    self._from_text(f)
        for f in found:
            issues += f.issues
        return [f.data for f in found]

    def _lookup(self, folder: Path) -> _Found:
        """The folder's key and entry (its bytes, if its key matches: loaded by
        _from_entry), by its recorded hashes if they give one, else by its files, read."""
        found = _Found(folder)
        found.name = _entry_name(folder.name)
        self.used.add(found.name)
        recorded = self.recorded.get(folder.name)
        if self.trusted and recorded is not None:
            found.key = self._key(folder.name, {name: sha for name, sha in recorded.items()
                                                if name in SURVEY_FILES})
            found.entry = self._get(found.name, found.key)
            if found.entry is not None:
                return found
        self._read(found)
        if self.trusted and not found.issues:
            found.entry = self._get(found.name, found.key)
        return found

    def _read(self, found: _Found) -> None:
        """The folder's files read (once) and its key made from their bytes."""
        if not found.read:
            found.files, found.read = survey_bytes(found.folder, found.issues), True
            found.key = self._key(found.folder.name, {
                name: hashlib.sha256(data).hexdigest() for name, data in found.files.items()})

    def _from_entry(self, found: _Found) -> None:
        entry, found.entry = found.entry, None
        data = None if entry is None else _unsealed(memoryview(entry), len(FORMAT) + _DIGEST)
        if data is not None:
            self.hits += 1
            found.data, found.done = data, True

    def _from_text(self, found: _Found) -> None:
        self._read(found)  # an entry found damaged: its files were not read
        data = read_survey(found.folder, found.issues, found.files)
        self._from_sealed(found, None if data is None else _seal(data), data)

    def _from_sealed(self, found: _Found, sealed: bytes | None,
                     data: SurveyData | None) -> None:
        """A survey read from text (`data`: here; None: by the child, loaded from its
        sealed record); its entry kept for save() if its reading found no problem."""
        if data is None and sealed is not None:
            data = _unsealed(memoryview(sealed), 0)
            if data is None:
                raise InternalError(f"{found.folder}: the survey read by the other process "
                                    "could not be loaded")
        if sealed is not None and not found.issues:
            self.pending[found.name] = FORMAT + found.key + sealed
        found.data, found.done = data, True

    def _key(self, folder_name: str, hashes: Mapping[str, str]) -> bytes:
        """From the SHA-256 (hex) of each of the folder's files, by name."""
        digest = hashlib.sha256(self.code)
        digest.update(folder_name.encode("utf-8", "surrogateescape") + b"\0")
        for file, sha in sorted(hashes.items()):
            digest.update(f"{file}\0{sha}\0".encode("utf-8", "surrogateescape"))
        return digest.digest()

    def _get(self, name: str, key: bytes) -> bytes | None:
        """The entry's bytes, if it is of this layout, these files and this code."""
        try:
            entry = (self.root / name).read_bytes()
        except OSError:
            return None
        if entry[:len(FORMAT)] != FORMAT or entry[len(FORMAT):len(FORMAT) + _DIGEST] != key:
            return None  # another layout, or of other files or code
        return entry

    def save(self) -> None:
        """Write the entries of the surveys read from text; remove every entry of a
        survey not read this time (its folder is gone). A failed write is a miss later."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            names = os.listdir(self.root)
        except OSError:
            names = []
        for name, entry in self.pending.items():
            _write_atomically(self.root / name, entry)
        for name in names:
            if name not in self.used and not _being_written(self.root / name):
                _remove(self.root / name)
        self.pending.clear()


def _shared(value: Any, seen: dict[str, str]) -> Any:
    """A copy of a survey's records in which equal strings are one object (a CA owner's
    key, a date, a source recur thousands of times): pickle writes each once, and an
    entry is a quarter of the size and quicker to load. Equal to `value`."""
    kind = type(value)
    if kind is str:
        return seen.setdefault(value, value)
    if kind is tuple:
        return tuple(_shared(item, seen) for item in value)
    if kind is list:
        return [_shared(item, seen) for item in value]
    if kind is dict:
        return {_shared(k, seen): _shared(v, seen) for k, v in value.items()}
    if kind in _RECORD_TYPES:  # frozen dataclasses: their fields set as __init__ would
        copy = object.__new__(kind)
        for name, field_value in vars(value).items():
            object.__setattr__(copy, name, _shared(field_value, seen))
        return copy
    return value  # None, numbers, anything else: kept as it is


def _seal(data: SurveyData) -> bytes:
    """A survey's record as an entry holds it after its key: the SHA-256 of its pickle,
    then the pickle (of `_shared`)."""
    payload = pickle.dumps(_shared(data, {}), protocol=_PROTOCOL)
    return hashlib.sha256(payload).digest() + payload


def _unsealed(sealed: memoryview, at: int) -> SurveyData | None:
    """The survey sealed at offset `at`, or None if it is damaged or cut short, or is
    anything but the record classes."""
    if hashlib.sha256(sealed[at + _DIGEST:]).digest() != sealed[at:at + _DIGEST]:
        return None
    stream = io.BytesIO(sealed)  # shares the bytes, no copy
    stream.seek(at + _DIGEST)
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new records: no garbage, nothing to collect
    try:
        data = _Records(stream).load()
    except Exception:  # noqa: BLE001 - whatever a bad entry raises, it is a miss
        return None
    finally:
        if collecting:
            gc.enable()
    return data if type(data) is SurveyData else None


@dataclass
class _Found:
    """One survey folder as read(): its files, key, entry name, problems, records."""

    folder: Path
    files: dict[str, bytes] = field(default_factory=dict)
    read: bool = False
    """Whether its files were read (not when its recorded hashes found its entry)."""
    key: bytes = b""
    name: str = ""
    issues: list[Issue] = field(default_factory=list)
    entry: bytes | None = None
    """Its entry, until loaded (a damaged one then gives no data: read from text)."""
    data: SurveyData | None = None
    done: bool = False
    """Read: from its entry or from text (data may still be None: a folder with no
    survey)."""


SHARE_MIN_BYTES = 1 << 20
"""Work (in bytes of text to read) below which a child is not worth its start and the
return of its records (about 0.03 s: a fifth of a megabyte's reading)."""
ENTRY_WEIGHT = 0.2
"""Loading a byte of an entry, in bytes of text read and checked (realistic demo: 19
entries of 4 MB in 0.15 s, a survey's 0.85 MB of text read and sealed in 0.16 s)."""


def _their_share(misses: list[_Found], entry_bytes: int) -> list[_Found]:
    """The surveys the child reads from text: the last ones, until it has about half of
    the work, the entries this process loads counted in (none when there is little, one
    core, or no fork). With no entry to load, this process reads the first itself."""
    text = [sum(map(len, f.files.values())) for f in misses]
    total = sum(text) + ENTRY_WEIGHT * entry_bytes
    if not misses or total < SHARE_MIN_BYTES or (os.cpu_count() or 1) < 2 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return []
    candidates = list(zip(misses, text, strict=True))[0 if entry_bytes else 1:]
    share: list[_Found] = []
    size = 0
    for f, length in reversed(candidates):
        if size >= total / 2:
            break
        share.insert(0, f)
        size += length
    return share


def _sealed_all(theirs: list[_Found]) -> list[tuple[bytes | None, list[Issue]]]:
    """In the child: each survey read from text, sealed, with the problems found."""
    out = []
    for f in theirs:
        issues: list[Issue] = []
        data = read_survey(f.folder, issues, f.files)
        out.append((None if data is None else _seal(data), issues))
    return out


def _in_child(work: Callable[[], object]) -> Callable[[], Any]:
    """work() started in a forked child; call the result for what it returned, or None
    if it failed (the caller then does the work itself)."""
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_send, args=(work, send), daemon=True)
    process.start()
    send.close()

    def result() -> Any:
        try:
            return pickle.loads(receive.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            return None
        finally:
            receive.close()
            process.join()
    return result


def _send(work: Callable[[], object], out: Connection) -> None:
    try:
        message = pickle.dumps(work(), protocol=_PROTOCOL)
    except BaseException:  # noqa: BLE001 - nothing sent: the parent reads the share itself
        out.close()
        return
    out.send_bytes(message)
    out.close()


def _being_written(path: Path) -> bool:
    """Another build's temporary file, from the last hour (older: left by a crash)."""
    try:
        return path.name.startswith(".") and time.time() - path.stat().st_mtime < 3600
    except OSError:
        return False


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # a file left is never used: no survey's name
        path.unlink(missing_ok=True)


def _entry_name(folder_name: str) -> str:
    """A survey folder's entry: named by a digest, never by the folder's own text."""
    digest = hashlib.sha256(folder_name.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{digest[:32]}.pickle"


def _write_atomically(path: Path, data: bytes) -> None:
    """A whole entry or none: another build reading at the same time sees the old entry
    or the new one. No fsync: an entry cut short by a crash fails its digest. A failed
    write (a full disk) is only a miss for the next build."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        _remove(Path(tmp))
