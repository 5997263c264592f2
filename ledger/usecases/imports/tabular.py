"""Streaming reads of CSV and XLSX tables, with errors as values.

Both `import events` and `import workorders` read their files through `open_table`, which
yields each row's cells as text together with its row number as a spreadsheet shows it (the
header is row 1), and `map_columns`, which finds the columns a reader needs by their Chinese
or English aliases. Problems are `RowError` values; a file that cannot be read at all raises
`ImportRejected` carrying them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ledger.domain.errors import ImportRejected

#: Bytes read at a time when hashing a file.
CHUNK = 1 << 20
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
        raise rejected(file, f"cannot read the file: {e.strerror or e}") from None
    if not magic:
        raise rejected(file, "the file is empty")
    if magic == _OLE_MAGIC:
        raise rejected(file, "legacy .xls files are not supported: save it as .xlsx or .csv")
    # Imported here: each reader imports this module's Table and errors (and CSV-only imports need not load XLSX's).
    if magic == _ZIP_MAGIC:
        from ledger.usecases.imports.tabular_xlsx import open_xlsx
        return open_xlsx(file)
    from ledger.usecases.imports.tabular_csv import open_csv
    return open_csv(file)


def rejected(file: str, message: str, row: int = 1) -> ImportRejected:
    """The refusal of the whole file: one error at ``row`` (the header's by default), naming no column."""
    return ImportRejected([RowError(file, row, "", message)])


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
