"""XLSX tables for ``ledger.usecases.imports.tabular``: the first sheet, streamed by openpyxl after the workbook's
declared size is checked (ledger/usecases/imports/xlsx_limits.py); cells as the text a spreadsheet shows."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import cache

from ledger.usecases.imports.tabular import CHUNK, Table, rejected
from ledger.usecases.imports.xlsx_limits import WorkbookTooLarge, XlsxLimits, check_workbook, too_large

# What openpyxl and zipfile raise on a damaged workbook.
# A damaged part's XML raises ElementTree's ParseError (a SyntaxError); a damaged deflate stream zlib.error or EOFError.
_XLSX_ERRORS = (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, SyntaxError, zlib.error,
                EOFError)


def open_xlsx(file: str) -> Table:
    import openpyxl  # imported here: CSV-only imports need not pay for it

    limits = XlsxLimits.from_env()
    try:
        check_workbook(file, limits)  # before openpyxl unpacks anything: a zip can be a bomb
    except WorkbookTooLarge as e:
        raise rejected(file, str(e)) from None
    except _XLSX_ERRORS as e:
        raise rejected(file, f"cannot read the workbook: {e}") from None
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    # A file object, not the name: openpyxl refuses names not ending in .xlsx, and the content
    # (a zip) already said what this is.
    source = open(file, "rb")  # noqa: SIM115 - closed with the workbook

    def close() -> None:
        wb.close()
        source.close()

    try:
        wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except _XLSX_ERRORS as e:
        source.close()
        raise rejected(file, f"cannot read the workbook: {e}") from None
    try:
        header, rows = _xlsx_header(file, wb)
    except BaseException:
        close()
        raise
    return Table(file, header, _xlsx_rows(file, close, rows, len(header), limits), digest.hexdigest(), close)


def _xlsx_header(file: str, wb) -> tuple[list[str], Iterator]:
    """The first sheet's header texts (trailing empty cells dropped) and its remaining rows."""
    if not wb.worksheets:
        raise rejected(file, "the workbook has no worksheet")
    ws = wb.worksheets[0]
    ws.reset_dimensions()  # some writers store a wrong <dimension>: read every row
    rows = ws.iter_rows()
    try:
        header = [_cell_text(c).strip() for c in next(rows, ())]
    except _XLSX_ERRORS as e:
        raise rejected(file, f"cannot read the workbook: {e}") from None
    if not any(header):
        raise rejected(file, "no header row: row 1 must name the columns")
    while not header[-1]:
        header.pop()
    return header, rows


def _xlsx_rows(file: str, close: Callable[[], None], rows, width: int,
               limits: XlsxLimits) -> Iterator[tuple[int, list[str]]]:
    row = 1
    last_row = limits.rows + 1  # the header is row 1
    try:
        for row, cells in enumerate(rows, start=2):  # noqa: B007 - row used after the loop
            # Counted while streaming too: a sheet need not declare its size, and openpyxl fills gaps with empty rows.
            if row > last_row:
                too_many = too_large(f"the sheet has more than {limits.rows:,} rows", "rows", limits.rows)
                raise rejected(file, str(too_many), row)
            if len(cells) > limits.columns:
                too_wide = too_large(f"row {row} has {len(cells):,} columns", "columns", limits.columns)
                raise rejected(file, str(too_wide), row)
            texts = [_cell_text(c) for c in cells]
            if not any(texts):
                continue
            if len(texts) < width:
                texts.extend([""] * (width - len(texts)))
            yield row, texts
    except _XLSX_ERRORS as e:
        raise rejected(file, f"cannot read the row: {e}", row + 1) from None
    finally:
        close()


def _cell_text(cell) -> str:
    """A cell's natural text: integers without '.0', datetimes to the second, dates alone
    when the cell's number format shows only a date."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows it
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # 15 significant digits, as Excel shows them: 0.1 + 0.2 reads "0.3", not "0.30000000000000004".
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.microsecond:  # Excel stores days as floats: round off the binary noise
            value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.time() == _MIDNIGHT and _shows_date_only(cell.number_format):
            return value.date().isoformat()
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    return str(value)


_MIDNIGHT = dt.time()
_TIME_CODES = re.compile(r"[hs]|AM/PM", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@cache
def _shows_date_only(number_format: str) -> bool:
    """True for a date format without hours or seconds, such as `yyyy-mm-dd`."""
    from openpyxl.styles.numbers import is_date_format

    if not is_date_format(number_format):
        return False
    return not _TIME_CODES.search(_QUOTED.sub("", number_format))


