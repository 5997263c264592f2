"""The shared-strings count is exact across the 1 MiB chunks it is unpacked in, with and without a namespace prefix."""

from __future__ import annotations

import zipfile

import pytest

from ledger.usecases.imports.xlsx_limits import WorkbookTooLarge, XlsxLimits, check_workbook


def _table(path, entry: bytes, n: int) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<sst>" + entry * n + b"</sst>")
    return str(path)


@pytest.mark.parametrize("entry", [b"<si><t>ab</t></si>", b"<x:si><x:t>ab</x:t></x:si>", b"<si\n/>"])
def test_300_000_entries_are_counted_exactly_across_chunks(tmp_path, entry):
    path = _table(tmp_path / "s.xlsx", entry, 300_000)  # 2–8 MB unpacked: several chunks, tags cut at their edges

    check_workbook(path, XlsxLimits(shared_strings=300_000))
    with pytest.raises(WorkbookTooLarge, match="holds 300,000 entries"):
        check_workbook(path, XlsxLimits(shared_strings=299_999))
