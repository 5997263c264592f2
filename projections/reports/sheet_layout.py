"""Cell styles, column widths, row heights and print setup shared by the workbook's sheets.

Printing (issue 14): every sheet prints on A4 landscape, fitted to one page wide, with its one
table's header repeated on every page (print titles). Text is 11 pt and column widths are
capped so that the fit never shrinks it below 9 pt on paper (`MAX_PRINT_UNITS`): long text
wraps instead, and each row is made tall enough for its wrapped lines (neither Excel nor
LibreOffice grows a row written by openpyxl on its own).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

POINTS_FORMAT = "0.00"
COUNT_FORMAT = "0"
BODY_SIZE = 11
HEADER_FONT = Font(bold=True, color="FFFFFF", size=BODY_SIZE)
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(size=BODY_SIZE, color="555555")
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
MAX_WIDTH = 40
#: A header's share of its column's width: a longer header wraps onto a second line.
HEADER_WIDTH = 12
#: Column width units that fit A4 landscape with 10 mm margins (277 mm at 1.852 mm per unit) …
A4_LANDSCAPE_UNITS = 149
#: … and the most a sheet may be wide so that fitting it to the page keeps 11 pt text ≥ 9 pt.
MAX_PRINT_UNITS = math.floor(A4_LANDSCAPE_UNITS * BODY_SIZE / 9)
#: Points per printed line of 11 pt text (CJK glyphs need a little more than the font size).
LINE_HEIGHT = 15
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def display_width(text: str) -> int:
    """Columns a string needs: CJK (wide/fullwidth) characters take two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell_value(value: Any) -> Any:
    """Decimal → float (Excel has no decimal type; two decimals survive a double exactly enough)."""
    return float(value) if isinstance(value, Decimal) else value


def sheet_text(text: str) -> str:
    """`text` with the characters the xlsx format forbids (NUL, ESC, the other C0 controls but tab and
    newlines) shown as their Unicode control pictures (NUL → ␀, ESC → ␛): visible, never a crash."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell: numbers as numbers, and text always as a text cell.

    openpyxl turns a string starting with `=` into a formula; text from the ledger (evidence, notes,
    names) is data, so the cell's type is forced back to string: `=1+1` shows as `=1+1` and
    `=HYPERLINK(…)` is no link (the OWASP CSV-injection rule, for the workbook).
    """
    if isinstance(value, str):
        cell = ws.cell(row=row, column=column, value=sheet_text(value))
        cell.data_type = "s"
        return cell
    return ws.cell(row=row, column=column, value=cell_value(value))


def sheet_title(name: str, taken: set[str]) -> str:
    """A legal, unique sheet name: Excel forbids `[]:*?/\\`, a leading/trailing `'`, > 31 chars."""
    base = _BAD_SHEET_CHARS.sub("_", sheet_text(name)).strip("'").strip() or "单位"
    title, n = base[:31], 2
    while title in taken:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def write_title(ws: Worksheet, title: str, facts: Sequence[str], width: int) -> int:
    """Title row and one merged note row per fact; returns the next free row."""
    put(ws, 1, 1, title).font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    row = 2
    for fact in facts:
        cell = put(ws, row, 1, fact)
        cell.font = NOTE_FONT
        cell.alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(width, 1))
        row += 1
    return row


def write_header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    """A styled header row (white on dark blue, bordered, centred)."""
    for col, text in enumerate(headers, start=1):
        cell = put(ws, row, col, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_row(ws: Worksheet, row: int, values: Sequence[Any], fill: PatternFill | None = None,
              bold: bool = False) -> None:
    """A data row: Decimals become numbers formatted `0.00`, ints `0`, text wraps at the top."""
    for col, value in enumerate(values, start=1):
        cell = put(ws, row, col, value)
        cell.border = GRID
        if isinstance(value, Decimal):
            cell.number_format, cell.alignment = POINTS_FORMAT, TOP
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format, cell.alignment = COUNT_FORMAT, TOP
        else:
            cell.alignment = WRAP
        if fill is not None:
            cell.fill = fill
        if bold:
            cell.font = Font(bold=True, size=BODY_SIZE)


def _text(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def fit_columns(ws: Worksheet, from_row: int, minimum: int = 6,
                caps: Mapping[int, int] | None = None) -> None:
    """Column widths from the header row `from_row` and the content below (longest line of each cell).

    A header counts for at most `HEADER_WIDTH` (it wraps); widths are capped (`MAX_WIDTH`, or
    `caps[column]`) so a sheet still prints legibly when fitted to one page wide; longer text
    wraps, and `fit_rows` then gives its row the height it needs.
    """
    widths: dict[int, int] = {}
    for cells in ws.iter_rows(min_row=from_row):
        for cell in cells:
            if cell.value is None:
                continue
            longest = max(display_width(line) for line in _text(cell.value).splitlines() or [""])
            if cell.row == from_row:
                longest = min(longest, HEADER_WIDTH)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for col, width in widths.items():
        cap = (caps or {}).get(col, MAX_WIDTH)
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, minimum), cap)
    fit_rows(ws)


def _width(ws: Worksheet, column: int) -> float:
    width = ws.column_dimensions[get_column_letter(column)].width
    return float(width) if width else 8.43  # Excel's default column width


def fit_rows(ws: Worksheet) -> None:
    """Give each row holding wrapped text the height of its longest cell's wrapped lines.

    A merged cell (the title's facts) wraps across the width of all the columns it spans.
    """
    spans = {(m.min_row, m.min_col): sum(_width(ws, c) for c in range(m.min_col, m.max_col + 1))
             for m in ws.merged_cells.ranges}
    for cells in ws.iter_rows():
        lines = 1
        for cell in cells:
            if cell.value is None or not isinstance(cell.value, str):
                continue
            room = max(spans.get((cell.row, cell.column), _width(ws, cell.column)) - 1, 1)
            lines = max(lines, sum(max(1, math.ceil(display_width(line) / room))
                                   for line in cell.value.splitlines() or [""]))
        size = max((c.font.sz or BODY_SIZE) for c in cells if c.value is not None) if any(
            c.value is not None for c in cells) else BODY_SIZE
        if lines > 1 or size > BODY_SIZE:
            ws.row_dimensions[cells[0].row].height = lines * LINE_HEIGHT * max(size, BODY_SIZE) / BODY_SIZE


def set_print(ws: Worksheet, header_rows: Iterable[int], landscape: bool) -> None:
    """A4, fit to one page wide (any number of pages tall), header rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = BODY_SIZE
    rows = sorted(header_rows)
    if rows:
        ws.print_title_rows = f"{rows[0]}:{rows[-1]}"
