"""Streaming reads of CSV and XLSX tables, with errors as values.

Both `import events` and `import workorders` read their files through `open_table`, which
yields each row's cells as text together with its row number as a spreadsheet shows it (the
header is row 1), and `map_columns`, which finds the columns a reader needs by their Chinese
or English aliases. Problems are `RowError` values; a file that cannot be read at all raises
`ImportRejected` carrying them.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ledger.errors import ImportRejected
from ledger.imports.xlsx_limits import WorkbookTooLarge, XlsxLimits, check_workbook, too_large

_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (BIFF)


@dataclass(frozen=True, slots=True, order=True)
class RowError:
    """One problem in an imported file, at the cell that caused it.

    Attributes: `file` as the user gave the path; `row` as a spreadsheet shows it (header = 1);
    `column` the header text as written in the file (empty for a problem with the whole row
    or file); `message` what is wrong. Errors sort by (file, row, column).
    """

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return f"{self.file}:{self.row}: {self.message}"
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


@dataclass(slots=True)
class Table:
    """A table being read: `header` cells (stripped), `rows` an iterator of
    (row number, cell texts padded to the header's width), the file's `sha256` (hex) and
    `file` (the path as given). `rows` can be consumed once; the file closes when it is
    exhausted, or on `close()` (also a context manager) for a table not read to the end."""

    file: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    sha256: str
    _close: Callable[[], object] = field(default=lambda: None, repr=False)

    def close(self) -> None:
        """Release the file (idempotent)."""
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_table(path: str | Path) -> Table:
    """Open a CSV (UTF-8 with or without BOM, else GB18030) or XLSX (first sheet) file.

    The format is decided by the file's content, not its name. Empty rows are skipped (their
    numbers are kept by the rows that follow). Raises `ImportRejected` with one error at row 1
    when the file cannot be read, is empty or has no header row.
    """
    file = str(path)
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise _rejected(file, f"cannot read the file: {e.strerror or e}") from None
    if not magic:
        raise _rejected(file, "the file is empty")
    if magic == _OLE_MAGIC:
        raise _rejected(file, "legacy .xls files are not supported: save it as .xlsx or .csv")
    if magic == _ZIP_MAGIC:
        return _open_xlsx(file)
    return _open_csv(file)


def _rejected(file: str, message: str, row: int = 1) -> ImportRejected:
    return ImportRejected([RowError(file, row, "", message)])


# --- CSV -----------------------------------------------------------------------------------


def _hash_and_sniff_encoding(file: str) -> tuple[str, str]:
    """One binary pass: the SHA-256 of the bytes and whether they are all valid UTF-8.

    Decoding incrementally chunk by chunk keeps memory flat for a 150 MB file.
    """
    digest = hashlib.sha256()
    decoder: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")("strict")
    with open(file, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    decoder = None  # not UTF-8: keep hashing, stop decoding
        if decoder is not None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                decoder = None
    # utf-8-sig drops a BOM if there is one; Excel on Chinese Windows writes GB18030 otherwise.
    return digest.hexdigest(), ("utf-8-sig" if decoder is not None else "gb18030")


def _first_undecodable_line(file: str, encoding: str) -> int | None:
    """The line holding the first byte `encoding` cannot decode, or None if all decode.

    A second pass, made only for files that are not UTF-8, so that a bad byte is reported
    where it is rather than wherever the text reader's buffer happened to meet it.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    with open(file, "rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                # b"\n" never occurs inside a GB18030 multi-byte character, so lines count exactly.
                return line + chunk.count(b"\n", 0, max(e.start, 0))
            line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line
    return None


def _open_csv(file: str) -> Table:
    sha256, encoding = _hash_and_sniff_encoding(file)
    if encoding != "utf-8-sig" and (line := _first_undecodable_line(file, encoding)) is not None:
        raise _rejected(file, "the file is neither UTF-8 nor GB18030 text", line)
    f = open(file, encoding=encoding, newline="")  # noqa: SIM115 - closed by _csv_rows
    try:
        first_line = f.readline()
        f.seek(0)
        # Excel's "Unicode text" export is tab-separated; everything else here uses commas.
        delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
        # strict: a quote left open must not swallow every row after it into one cell.
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as e:
        f.close()
        raise _rejected(file, f"cannot read the header row: {e}") from None
    if header is None or not any(c.strip() for c in header):
        f.close()
        raise _rejected(file, "no header row: row 1 must name the columns")
    header = [c.replace("\ufeff", "").strip() for c in header]
    return Table(file, header, _csv_rows(file, f, reader, header, encoding, delimiter), sha256, f.close)


def _csv_rows(file: str, f, reader, header: list[str], encoding: str,
              delimiter: str) -> Iterator[tuple[int, list[str]]]:
    row, width = 1, len(header)
    start_line = reader.line_num + 1  # the physical line the next record starts on
    try:
        # Count records, not physical lines: quoted cells (诉求内容) may span several lines.
        for row, cells in enumerate(reader, start=2):  # noqa: B007 - row used after the loop
            start_line = reader.line_num + 1
            if not any(cells):
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield row, cells
    except UnicodeDecodeError as e:
        raise _rejected(file, f"cannot read the row: {e}", row + 1) from None
    except csv.Error as e:
        column = _open_quote_column(file, encoding, delimiter, start_line, header)
        if column is not None:
            raise ImportRejected([RowError(file, row + 1, column, "a quoted cell is never closed (a \" without its "
                                                                  "closing \"): the rows after it cannot be read")]
                                 ) from None
        raise _rejected(file, f"cannot read the row: {e}", row + 1) from None
    finally:
        f.close()


def _open_quote_column(file: str, encoding: str, delimiter: str, line_no: int, header: list[str]) -> str | None:
    """The header of the cell whose quote, opened on physical line `line_no`, is never closed (None if none is)."""
    with open(file, encoding=encoding, newline="") as f:
        rest = itertools.islice(f, line_no - 1, None)
        quoted, closed, field, at_start = False, False, 0, True
        for line in rest:
            for ch in line:
                if quoted:
                    if ch == '"':
                        quoted, closed = False, True
                    continue
                if ch == '"' and (at_start or closed):
                    quoted, closed, at_start = True, False, False  # a cell's opening quote, or "" inside one
                    continue
                closed = False
                if ch == delimiter:
                    field, at_start = field + 1, True
                elif ch in "\r\n":
                    field, at_start = 0, True
                else:
                    at_start = False  # a quote inside an unquoted cell is a plain character
    if not quoted:
        return None
    return header[field] if field < len(header) and header[field] else f"column {field + 1}"


# --- XLSX ----------------------------------------------------------------------------------

# What openpyxl and zipfile raise on a damaged workbook.
# A damaged part's XML raises ElementTree's ParseError (a SyntaxError); a damaged deflate stream zlib.error or EOFError.
_XLSX_ERRORS = (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, SyntaxError, zlib.error,
                EOFError)


def _open_xlsx(file: str) -> Table:
    import openpyxl  # imported here: CSV-only imports need not pay for it

    limits = XlsxLimits.from_env()
    try:
        check_workbook(file, limits)  # before openpyxl unpacks anything: a zip can be a bomb
    except WorkbookTooLarge as e:
        raise _rejected(file, str(e)) from None
    except _XLSX_ERRORS as e:
        raise _rejected(file, f"cannot read the workbook: {e}") from None
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        while chunk := f.read(_CHUNK):
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
        raise _rejected(file, f"cannot read the workbook: {e}") from None
    try:
        header, rows = _xlsx_header(file, wb)
    except BaseException:
        close()
        raise
    return Table(file, header, _xlsx_rows(file, close, rows, len(header), limits), digest.hexdigest(), close)


def _xlsx_header(file: str, wb) -> tuple[list[str], Iterator]:
    """The first sheet's header texts (trailing empty cells dropped) and its remaining rows."""
    if not wb.worksheets:
        raise _rejected(file, "the workbook has no worksheet")
    ws = wb.worksheets[0]
    ws.reset_dimensions()  # some writers store a wrong <dimension>: read every row
    rows = ws.iter_rows()
    try:
        header = [_cell_text(c).strip() for c in next(rows, ())]
    except _XLSX_ERRORS as e:
        raise _rejected(file, f"cannot read the workbook: {e}") from None
    if not any(header):
        raise _rejected(file, "no header row: row 1 must name the columns")
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
                raise _rejected(file, str(too_many), row)
            if len(cells) > limits.columns:
                too_wide = too_large(f"row {row} has {len(cells):,} columns", "columns", limits.columns)
                raise _rejected(file, str(too_wide), row)
            texts = [_cell_text(c) for c in cells]
            if not any(texts):
                continue
            if len(texts) < width:
                texts.extend([""] * (width - len(texts)))
            yield row, texts
    except _XLSX_ERRORS as e:
        raise _rejected(file, f"cannot read the row: {e}", row + 1) from None
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


# --- columns -------------------------------------------------------------------------------


def _column_key(text: str) -> str:
    """Headers compare without case, whitespace (full-width too), '_' or '-'."""
    return re.sub(r"[\s_\-\ufeff]+", "", text).casefold()


def map_columns(
    table: Table, spec: Mapping[str, tuple[str, ...]], required: set[str]
) -> tuple[dict[str, int], list[RowError]]:
    """Find each field's column index from its aliases (`spec`: field → aliases).

    Unknown columns are ignored. A missing required field is an error at row 1 whose column
    is the field's first alias and its name (`工单编号 / order_id`); a field found in two
    columns is an error at the second. Fields neither found nor required are left out.
    """
    by_key = {_column_key(alias): name for name, aliases in spec.items() for alias in (name, *aliases)}
    found: dict[str, int] = {}
    errors: list[RowError] = []
    for index, text in enumerate(table.header):
        name = by_key.get(_column_key(text)) if text else None
        if name is None:
            continue
        if name in found:
            first = table.header[found[name]]
            errors.append(RowError(table.file, 1, text, f"the same column as {first!r} appears twice"))
            continue
        found[name] = index
    for name, aliases in spec.items():
        if name in required and name not in found:
            first = aliases[0] if aliases else name
            label = name if first == name else f"{first} / {name}"
            errors.append(RowError(table.file, 1, label, "required column is missing"))
    return found, errors
