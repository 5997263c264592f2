"""CSV tables for ``ledger.usecases.imports.tabular``: UTF-8 (with or without BOM) or GB18030, the delimiter sniffed,
the file hashed in the same pass; a quoted cell never closed is named by its column."""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
from collections.abc import Iterator

from ledger.domain.errors import ImportRejected
from ledger.usecases.imports.tabular import CHUNK, RowError, Table, rejected


def _hash_and_sniff_encoding(file: str) -> tuple[str, str]:
    """One binary pass: the SHA-256 of the bytes and whether they are all valid UTF-8.

    Decoding incrementally chunk by chunk keeps memory flat for a 150 MB file.
    """
    digest = hashlib.sha256()
    decoder: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")("strict")
    with open(file, "rb") as f:
        while chunk := f.read(CHUNK):
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
        while chunk := f.read(CHUNK):
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


def open_csv(file: str) -> Table:
    sha256, encoding = _hash_and_sniff_encoding(file)
    if encoding != "utf-8-sig" and (line := _first_undecodable_line(file, encoding)) is not None:
        raise rejected(file, "the file is neither UTF-8 nor GB18030 text", line)
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
        raise rejected(file, f"cannot read the header row: {e}") from None
    if header is None or not any(c.strip() for c in header):
        f.close()
        raise rejected(file, "no header row: row 1 must name the columns")
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
        raise rejected(file, f"cannot read the row: {e}", row + 1) from None
    except csv.Error as e:
        column = _open_quote_column(file, encoding, delimiter, start_line, header)
        if column is not None:
            raise ImportRejected([RowError(file, row + 1, column, "a quoted cell is never closed (a \" without its "
                                                                  "closing \"): the rows after it cannot be read")]
                                 ) from None
        raise rejected(file, f"cannot read the row: {e}", row + 1) from None
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


