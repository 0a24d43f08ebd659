"""Pieces of the whole-dataset downloads, kept between runs in the work folder (issue #16).

A piece is one survey's share of a whole-dataset file, already compressed (a run of
deflate, `deflate.GzipStream`), or a survey's small SQLite database. It is stored under
a key made of everything it is made from (the survey's digest, which covers the
builder's code, and the zlib and SQLite versions), as `KEY.SHA` where SHA is the digest
of the file's bytes: a piece whose bytes do not match is not trusted but deleted and
made again, a stale one is never asked for. Pieces are written to a hidden partial file
and renamed into place, so a run cut short leaves either a whole piece or none. After a
run that composed the whole dataset, the pieces it did not use are removed (`gc`).
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path

from builder.publish.opendata.files import Sink

CACHE = ".downloads-pieces"
"""Beside `layout.STATE` in the work folder (hidden, so MkDocs leaves it out)."""
_SHA = 32  # hex digits of a piece's content digest in its file name


class Pieces:
    """The pieces in `root` (made if missing), by key; `gc` removes those not used.
    `fresh`: none of those stored is used (`builder build --full`), every piece is made
    again (and stored)."""

    def __init__(self, root: Path, salt: str, fresh: bool = False) -> None:
        self.root, self.used, self.made = root, set[str](), list[str]()
        self.salt = f"{salt} zlib={zlib.ZLIB_RUNTIME_VERSION} sqlite={sqlite3.sqlite_version}"
        root.mkdir(parents=True, exist_ok=True)
        self.found = {} if fresh else {name.partition(".")[0]: name
                                       for name in os.listdir(root) if not name.startswith(".")}

    def key(self, *inputs: str) -> str:
        return hashlib.sha256("\0".join((self.salt, *inputs)).encode()).hexdigest()[:40]

    def get(self, key: str) -> Path | None:
        """The piece stored under key, if its bytes are those it was stored with."""
        name = self.found.get(key)
        if name is None:
            return None
        path = self.root / name
        try:
            with path.open("rb") as fh:
                whole = hashlib.file_digest(fh, "sha256").hexdigest()[:_SHA] == \
                    name.partition(".")[2]
        except OSError:
            whole = False
        return self._checked(key, whole)

    def hold(self, key: str) -> None:
        """Keep the piece stored under key (if there is one) through `gc`, unread: get,
        read or made_file check its bytes if it is needed after all."""
        if (name := self.found.get(key)) is not None:
            self.used.add(name)

    def _checked(self, key: str, whole: bool) -> Path | None:
        name = self.found[key]
        if not whole:  # damaged or replaced: never trusted, made again
            (self.root / name).unlink(missing_ok=True)
            del self.found[key]
            return None
        self.used.add(name)
        return self.root / name

    def read(self, key: str, write: Callable[[Sink], None]) -> bytes:
        """The bytes of the piece under key, made now by `write` if it is not stored: read
        once and checked (a piece is a share of one file, never a whole download)."""
        name = self.found.get(key)
        if name is not None:
            try:
                data: bytes | None = (self.root / name).read_bytes()
            except OSError:
                data = None
            whole = data is not None and hashlib.sha256(data).hexdigest()[:_SHA] == \
                name.partition(".")[2]
            if self._checked(key, whole) is not None and data is not None:
                return data
        made = io.BytesIO()
        write(made)
        data = made.getvalue()
        self._store(key, data)
        return data

    def _store(self, key: str, data: bytes) -> None:
        name = f"{key}.{hashlib.sha256(data).hexdigest()[:_SHA]}"
        partial = self.root / f".{key}.partial"
        try:
            partial.write_bytes(data)
            os.replace(partial, self.root / name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self._made(key, name)

    def _made(self, key: str, name: str) -> None:
        self.found[key] = name
        self.used.add(name)
        self.made.append(key)

    def made_file(self, key: str, write: Callable[[Path], None]) -> Path:
        """The piece under key: the stored one, else made now by `write` into a new file
        at the path it is given (a SQLite database needs a path)."""
        found = self.get(key)
        if found is not None:
            return found
        partial = self.root / f".{key}.partial"
        try:
            partial.unlink(missing_ok=True)
            write(partial)
            with partial.open("rb") as fh:
                name = f"{key}.{hashlib.file_digest(fh, 'sha256').hexdigest()[:_SHA]}"
            os.replace(partial, self.root / name)
        finally:
            partial.unlink(missing_ok=True)
        self._made(key, name)
        return self.root / name

    def gc(self) -> None:
        """Remove every piece (and partial file) this run did not use."""
        for name in os.listdir(self.root):
            if name not in self.used:
                (self.root / name).unlink(missing_ok=True)
