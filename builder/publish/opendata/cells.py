"""The cells of the open-data files: each rule once, applied a column at a time (issue #16).

A cell's rules: CSV (`csv_cell`: `spreadsheet_safe`, no lone surrogate, `true`/`false`,
an array as JSON text; then quoted as csv.writer quotes, `_csv_field`), JSON (exact text:
what `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` makes) and SQL values
(no lone surrogate, an array as JSON text).

Rows come as tuples in column order, one batch at a time (a survey's rows of one table),
with the Table Schema type of each column (`tables.Columns`). Each column is encoded on
its own: its values repeat (slugs, names, dates, sources, option labels), so each
distinct value of a batch is encoded once (`_Memo`, looked up from C by `map`), and
`str.join`, `%` formatting and executemany then take the rows in C. A column holds one
type (a column of booleans never meets the integer 1, which a dict would not tell from
True). Arrays come as tuples (hashable).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

from builder.core.text import without_surrogates
from builder.publish.opendata.tables import ARRAY, BOOL, INT, STR, Columns

Row = tuple[Any, ...]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset("".join(_FORMULA_START))
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet cannot run: `'` before a leading = + - @ TAB or CR.

    Plain numbers such as `-5` or `+1.5` stay as they are, so they stay numbers.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""What json.dumps with these options would make for every value, made once."""


def json_text(value: Any) -> str:
    return ENCODER.encode(value)


def utf8_json(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8; written as a \\uXXXX escape it is still exact JSON.
    return text.encode("utf-8", "backslashreplace")


def csv_cell(value: Any) -> str:
    if type(value) is str:  # most cells: tested first
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, int):
        return str(value)
    else:
        text = _json_array(tuple(value)) if isinstance(value, list | tuple) else str(value)
    if not text.isascii():  # ASCII text holds no surrogate
        text = without_surrogates(text)
    elif not text or text[0] not in _FORMULA_CHARS:  # most: no formula can start
        return text
    return spreadsheet_safe(text)


def sql_value(value: Any) -> Any:
    if type(value) is str:  # most values: tested first
        return value if value.isascii() else without_surrogates(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list | tuple):
        value = _json_array(tuple(value))
    if isinstance(value, str):
        return value if value.isascii() else without_surrogates(value)
    return value


def _json_cell(value: Any) -> str:
    if type(value) is str:
        return str(encode_basestring(value))
    if type(value) is tuple:
        return _json_array(value)
    return json_text(value)


def _json_array(value: tuple[Any, ...]) -> str:
    """As json_text(list(value)), faster for an array of text (the history's answers)."""
    try:
        return "[" + ",".join(map(encode_basestring, value)) + "]"
    except TypeError:  # not all text
        return json_text(list(value))


class _Memo(dict[Any, Any]):
    """value -> its cell, each made once: `map(memo.__getitem__, column)` runs in C."""

    def __init__(self, encode: Callable[[Any], Any]) -> None:
        super().__init__()
        self.encode = encode

    def __missing__(self, value: Any) -> Any:
        cell = self[value] = self.encode(value)
        return cell


_CSV_QUOTED = re.compile('[,"\r\n]')
"""The characters that make csv.writer (QUOTE_MINIMAL) quote a field."""


def _csv_field(value: Any) -> str:
    """The cell as a field of a CSV line, quoted as csv.writer quotes it (RFC 4180)."""
    text = csv_cell(value)
    if _CSV_QUOTED.search(text) is None:  # most: as it is
        return text
    return '"' + text.replace('"', '""') + '"'


Column = tuple[Any, ...]
Cells = Callable[[Column], Iterable[Any]]


def _each_once(encode: Callable[[Any], Any]) -> Cells:
    return lambda column: map(_Memo(encode).__getitem__, column)


def _numbers(encode: Callable[[Any], Any]) -> Cells:
    """Integers: often each different (a sequence), so as text by str, in C, when the
    column has no None (`encode` gives str's text for a number: CSV and JSON agree)."""
    each_once = _each_once(encode)
    return lambda column: each_once(column) if None in column else map(str, column)


def _as_they_are(column: Column) -> Iterable[Any]:
    return column


_CSV: dict[str, Cells] = {STR: _each_once(_csv_field), INT: _numbers(_csv_field),
                          BOOL: _each_once(_csv_field), ARRAY: _each_once(_csv_field)}
_JSON: dict[str, Cells] = {STR: _each_once(_json_cell), INT: _numbers(_json_cell),
                           BOOL: _each_once(_json_cell), ARRAY: _each_once(_json_cell)}
_SQL: dict[str, Cells] = {STR: _each_once(sql_value), INT: _as_they_are,
                          BOOL: _each_once(sql_value), ARRAY: _each_once(sql_value)}


def _columns(columns: Columns, rows: Iterable[Row]) -> list[Column]:
    found = list(zip(*rows, strict=True))
    if found and len(found) != len(columns.kinds):
        raise ValueError(f"rows of {len(found)} columns, not {len(columns.kinds)}")
    return found


def _encoded(rules: dict[str, Cells], columns: Columns, rows: Iterable[Row]) -> Iterator[Row]:
    return zip(*(rules[kind](column) for kind, column in zip(
        columns.kinds, _columns(columns, rows), strict=False)), strict=True)


def csv_rows(columns: Columns, rows: Iterable[Row]) -> bytes:
    """The rows as UTF-8 CSV lines (RFC 4180, CRLF), cells made spreadsheet-safe: the
    fields of a line are those csv.writer would write, each quoted on its own, so a line
    is their join (a line of one empty field, which csv.writer writes as "", never
    occurs: every table has more than one column)."""
    lines = list(map(",".join, _encoded(_CSV, columns, rows)))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8") if lines else b""


def csv_header(columns: Columns) -> bytes:
    return (",".join(map(_csv_field, columns.names)) + "\r\n").encode("utf-8")


def json_objects(columns: Columns, rows: Iterable[Row]) -> str:
    """One JSON object per row (keys in column order, exact text, no spaces), joined by
    ",\n" ("" for no row): each cell made with its key, a row the join of its cells."""
    cells = []
    for name, kind, column in zip(columns.names, columns.kinds, _columns(columns, rows),
                                  strict=False):  # no column: no row
        key = str(encode_basestring(name)) + ":"
        cells.append(map(key.__add__, _JSON[kind](column)))
    if not cells:
        return ""
    return "{" + "},\n{".join(map(",".join, zip(*cells, strict=True))) + "}"


def sql_rows(columns: Columns, rows: Iterable[Row]) -> Iterator[Row]:
    """The rows as SQL parameters: text without lone surrogates, arrays as JSON text."""
    return _encoded(_SQL, columns, rows)
