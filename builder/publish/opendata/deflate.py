"""One gzip file written as a row of deflate pieces, each kept between runs (issue #16).

Each piece is compressed on its own, with the 32 KiB of text before it as its dictionary,
and ends on a byte boundary without ending the stream (a sync flush), as pigz does: the
pieces one after the other are one deflate stream, as small as one made in one go, in
one ordinary gzip member. So a piece made by an earlier run can be copied as it is, when
its own text and the 32 KiB before it are the same (both are in its key). The CRC-32 of
the whole text is combined from the pieces' CRCs (`crc32_combine`, as zlib does; Python's
zlib module does not offer it).

A stored piece (`pieces.Pieces`) is: the deflate bytes, then the last 32 KiB of its text
(the next piece's dictionary; not for a run of text at hand), then its CRC-32, text size
and that tail's size (`_META`).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from builder.publish.opendata.files import Buffer, Sink
from builder.publish.opendata.pieces import Pieces

LEVEL = 6
PAGES_LEVEL = 3
"""For a database's pages (gzip_file): 2.3 times as fast as LEVEL for a file 13% larger
(realistic: 2.39 MB instead of 2.10), on the path of every change to the data."""
WINDOW = 32768  # deflate's window: how far back a piece may refer
_META = struct.Struct("<IQI")  # CRC-32, text size, tail size
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, OS unknown
_LAST_BLOCK = b"\x03\x00"  # an empty final block: the end of the deflate stream
_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial (zlib's crc32.c)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                return p
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _x2n_table() -> list[int]:
    p, table = 1 << 30, []  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _x2n_table()


def crc32_combine(crc1: int, crc2: int, size2: int) -> int:
    """The CRC-32 of A+B from that of A, that of B and the size of B."""
    p, k = 1 << 31, 3  # x^0; 2^3 bits per byte
    while size2:
        if size2 & 1:
            p = _multmodp(_X2N[k & 31], p)
        size2 >>= 1
        k += 1
    return _multmodp(p, crc1) ^ crc2


class _Deflating:
    """A sink that deflates into target what it is given, after the dictionary `window`;
    it counts the text, its CRC-32 and its last WINDOW bytes."""

    def __init__(self, target: Sink, window: bytes, level: int = LEVEL) -> None:
        self.target, self.crc, self.size, self.tail = target, 0, 0, b""
        self.stream = zlib.compressobj(level, zlib.DEFLATED, -15, 8,
                                       zlib.Z_DEFAULT_STRATEGY, *([window] if window else []))

    def write(self, data: bytes) -> int:
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)
        self.tail = (self.tail + data)[-WINDOW:]
        self.target.write(self.stream.compress(data))
        return len(data)

    def finish(self) -> None:
        self.target.write(self.stream.flush(zlib.Z_SYNC_FLUSH))


def _stored(sink: Sink, write: Callable[[Sink], None], window: bytes, tail: bool,
            level: int = LEVEL) -> None:
    deflating = _Deflating(sink, window, level)
    buffer = Buffer(deflating)
    write(buffer)
    buffer.flush()
    deflating.finish()
    kept = deflating.tail if tail else b""
    sink.write(kept + _META.pack(deflating.crc, deflating.size, len(kept)))


class GzipStream:
    """One gzip member: text (compressed now) and pieces (kept between runs) in order."""

    def __init__(self, sink: Sink, pieces: Pieces, level: int = LEVEL) -> None:
        self.sink, self.pieces, self.level = sink, pieces, level
        self.crc, self.size, self.window, self.pending = 0, 0, b"", bytearray()
        sink.write(_HEADER)

    def text(self, data: bytes) -> None:
        """Text of this run alone (between pieces: small), compressed with the next."""
        self.pending += data

    def piece(self, key: str, write: Callable[[Sink], None]) -> int:
        """The text `write` writes, as a piece kept under key; its size (0: nothing)."""
        self._flush()
        data = self.pieces.read(
            self.pieces.key(key, f"level {self.level}", hashlib.sha256(self.window).hexdigest()),
            partial(_stored, write=write, window=self.window, tail=True, level=self.level))
        crc, size, tail_size = (int(v) for v in _META.unpack(data[-_META.size:]))
        end = len(data) - _META.size - tail_size
        if size:
            self.sink.write(data[:end])
            self._add(crc, size, data[end:end + tail_size])
        return size

    def run(self, text: bytes) -> None:
        """A piece of text at hand, kept by its content (its CRC needs no combining)."""
        self._flush()
        data = self.pieces.read(
            self.pieces.key("text", f"level {self.level}", hashlib.sha256(self.window).hexdigest(),
                            hashlib.sha256(text).hexdigest()),
            partial(_stored, write=partial(_put, data=text), window=self.window, tail=False,
                    level=self.level))
        self.sink.write(data[:len(data) - _META.size])
        self.crc, self.size = zlib.crc32(text, self.crc), self.size + len(text)
        self.window = (self.window + text)[-WINDOW:]

    def _add(self, crc: int, size: int, tail: bytes) -> None:
        self.crc, self.size = crc32_combine(self.crc, crc, size), self.size + size
        self.window = (self.window + tail)[-WINDOW:]

    def _flush(self) -> None:
        if self.pending:
            deflating = _Deflating(self.sink, self.window, self.level)
            deflating.write(bytes(self.pending))
            deflating.finish()
            self._add(deflating.crc, deflating.size, deflating.tail)
            self.pending.clear()

    def close(self) -> None:
        self._flush()
        self.sink.write(_LAST_BLOCK + struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))


@contextmanager
def gzip_stream(sink: Sink, pieces: Pieces, level: int = LEVEL) -> Iterator[GzipStream]:
    stream = GzipStream(sink, pieces, level)
    yield stream
    stream.close()


def _pages(path: Path, page: int, cut: int, most: int) -> Iterator[bytes]:
    run = bytearray()
    with path.open("rb") as fh:
        while data := fh.read(page):
            run += data
            if zlib.crc32(data) & cut == 0 or len(run) >= most:
                yield bytes(run)
                run.clear()
    if run:
        yield bytes(run)


def gzip_file(sink: Sink, path: Path, pieces: Pieces, page: int) -> None:
    """The file at path, gzipped, in runs of whole pages, each run ended after a page
    chosen by its own bytes (its CRC-32), so that a page that moved still ends its run
    and most runs of a slightly changed database are found again: about 128 KiB each."""
    with gzip_stream(sink, pieces, PAGES_LEVEL) as stream:
        for run in _pages(path, page, 31, 1 << 20):
            stream.run(run)


def _put(sink: Sink, data: bytes) -> None:
    sink.write(data)
