"""Limits an .xlsx must keep before it is parsed: a workbook is a zip, and a zip can be a bomb.

A 1.2 MB file can unpack to gigabytes (a shared-strings table of millions of empty strings, a
sheet of a million empty rows), and openpyxl reads the shared strings and the styles whole. So
before openpyxl opens a workbook, `check_workbook` reads the zip's central directory (the sizes
each member declares; Python's zipfile never unpacks more than a member declares) and streams
the shared-strings table only as far as the limit on its entries; the sheet's declared
dimension is checked too, and `tabular` counts the rows and columns while streaming them.

Every limit is an environment setting (see docs/deployment.md); the defaults are generous for a
real export of a million work orders with dozens of columns.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields

from ledger.domain.errors import LedgerError

_GIB = 1 << 30
_ENV_PREFIX = "HOTLINE_LEDGER_XLSX_MAX_"


@dataclass(frozen=True, slots=True)
class XlsxLimits:
    """The most an .xlsx may hold (each field is the setting ``HOTLINE_LEDGER_XLSX_MAX_<FIELD>``).

    Attributes: `bytes` all members unpacked together; `sheet_bytes` one worksheet unpacked (streamed);
    `part_bytes` any other member unpacked (shared strings, styles: read whole); `rows` and `columns`
    of the sheet; `shared_strings` entries of the shared-strings table; `members` files in the zip.
    """

    bytes: int = 8 * _GIB
    sheet_bytes: int = 4 * _GIB
    part_bytes: int = 1 * _GIB
    rows: int = 2_000_000
    columns: int = 1_000
    shared_strings: int = 5_000_000
    members: int = 10_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> XlsxLimits:
        """The limits, each from its environment setting when set (a positive integer), else the default."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            name = _ENV_PREFIX + f.name.upper()
            text = environ.get(name, "").strip().replace("_", "")
            if not text:
                continue
            if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) < 1:
                raise LedgerError(f"{name} must be a positive integer, not {environ[name]!r}")
            values[f.name] = int(text)
        return cls(**values)


class WorkbookTooLarge(Exception):
    """What a workbook exceeds: the message names the limit and its setting."""


def _setting(field: str) -> str:
    return _ENV_PREFIX + field.upper()


def too_large(what: str, field: str, limit: int) -> WorkbookTooLarge:
    """The refusal for `what` beyond the limit `field` (its setting named, so it can be raised)."""
    return WorkbookTooLarge(f"the workbook is too large to import: {what}, more than the limit of {limit:,} "
                            f"({_setting(field)})")


_PREFIXED_SHARED_STRING = re.compile(rb"<[A-Za-z_][\w.-]{0,30}:si[\s/>]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref\s*=\s*[\"']([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_CHUNK = 1 << 20
_HEAD = 1 << 16  # a worksheet's <dimension> comes before its data, in its first bytes


def check_workbook(file: str, limits: XlsxLimits) -> None:
    """Raise `WorkbookTooLarge` when the workbook at `file` exceeds `limits` (zipfile errors pass through)."""
    with zipfile.ZipFile(file) as z:
        members = z.infolist()
        if len(members) > limits.members:
            raise too_large(f"it holds {len(members):,} files", "members", limits.members)
        total = 0
        for info in members:
            total += info.file_size
            sheet = _is_worksheet(info.filename)
            field = "sheet_bytes" if sheet else "part_bytes"
            limit = getattr(limits, field)
            if info.file_size > limit:
                raise too_large(f"{info.filename} unpacks to {info.file_size:,} bytes", field, limit)
        if total > limits.bytes:
            raise too_large(f"its files unpack to {total:,} bytes", "bytes", limits.bytes)
        for info in members:
            name = info.filename.lower()
            if name.endswith("sharedstrings.xml"):
                _count_shared_strings(z, info, limits.shared_strings)
            elif _is_worksheet(info.filename):
                _check_dimension(z, info, limits)


def _is_worksheet(name: str) -> bool:
    return "worksheets/" in name.lower() and name.lower().endswith(".xml")


def _count_shared_strings(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> None:
    """Count the table's entries while unpacking, and stop past the limit (the declared count may lie)."""
    count, tail = 0, b""
    with z.open(info) as f:
        while chunk := f.read(_CHUNK):
            data = tail + chunk
            # Tags before the last '<' are whole; the one it opens may continue in the next chunk.
            cut = data.rfind(b"<")
            if cut < 0:
                tail = b""
                continue
            count += _entries(data, cut)
            tail = data[cut:cut + 64]  # an opening tag's name is all that is matched
            if count > limit:
                raise too_large(f"its shared-strings table holds {count:,} entries or more", "shared_strings", limit)
    count += _entries(tail)
    if count > limit:
        raise too_large(f"its shared-strings table holds {count:,} entries", "shared_strings", limit)


def _entries(data: bytes, end: int | None = None) -> int:
    """The shared-string entries (``<si>`` tags) that start in ``data[:end]``: counted in C (no other element of the
    table's schema starts with "si"), with a regex only for a namespace prefix (``<x:si>``), which is rare."""
    end = len(data) if end is None else end
    n = data.count(b"<si", 0, end)
    if data.find(b":si", 0, end) >= 0:
        n += len(_PREFIXED_SHARED_STRING.findall(data, 0, end))
    return n


def _check_dimension(z: zipfile.ZipFile, info: zipfile.ZipInfo, limits: XlsxLimits) -> None:
    """The rows and columns a worksheet declares (its <dimension>), when it declares them before its data."""
    with z.open(info) as f:
        head = f.read(_HEAD)
    data_at = _SHEET_DATA.search(head)
    m = _DIMENSION.search(head, 0, data_at.start() if data_at else len(head))
    if m is None:
        return
    last_column, last_row = (m[3], m[4]) if m[3] is not None else (m[1], m[2])
    if last_row and (len(last_row) > 12 or int(last_row) > limits.rows):
        raise too_large(f"{info.filename} declares {int(last_row[:13]):,} rows", "rows", limits.rows)
    columns = _column_number(last_column.decode("ascii"))
    if columns > limits.columns:
        raise too_large(f"{info.filename} declares {columns:,} columns", "columns", limits.columns)


def _column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27 (capped: a long run of letters is simply very many)."""
    n = 0
    for c in letters.upper()[:8]:
        n = n * 26 + ord(c) - ord("A") + 1
    return n
