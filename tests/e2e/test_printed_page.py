"""The demo year's score page printed as a reader prints it (Chromium's print to PDF, A4): under 30 pages,
every record still named by its id (issue 14, "a compact printed page")."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDF_TOOLS = shutil.which("pdfinfo") and shutil.which("pdftotext")


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    monkeypatch.delenv("HOTLINE_LEDGER_STORE", raising=False)
    monkeypatch.delenv("HOTLINE_LEDGER_CIPHER_KEY", raising=False)
    cli = Cli(f"sqlite:///{tmp_path}/demo.db")
    result = cli("demo", "--year", "2025")
    assert result.exit_code == 0, result.stderr
    return cli


def _printed(page: Path, pdf: Path) -> None:
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={pdf.parent / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=300)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.skipif(CHROMIUM is None or not PDF_TOOLS, reason="needs chromium and poppler-utils (pdfinfo, pdftotext)")
def test_the_demo_years_page_prints_on_fewer_than_30_a4_pages_with_every_record_id(demo: Cli, tmp_path: Path):
    page, pdf = tmp_path / "score.html", tmp_path / "score.pdf"
    written = demo("score", "--year", "2025", "--as-of", "2025-12-31", "--format", "html", "--output", page)
    assert written.exit_code == 0, written.stderr
    _printed(page, pdf)
    count = _pages(pdf)
    assert count < 30, f"{count} A4 pages"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "各单位失分" in "".join(text.split()) or "失分分布" in text  # the chart of points lost by section
    # Every record that cost a unit points (or gave it bonus) is named on paper by its id's first 8 characters.
    doc = demo.json("score", "--year", "2025", "--as-of", "2025-12-31")
    for unit in doc["units"][:3]:
        trace = demo.json("trace", "--year", "2025", "--as-of", "2025-12-31", "--unit", unit["unit"])
        costly = [e["id"] for i in trace["items"] if i.get("deducted") not in (None, "0.00") or "bonus" in i
                  for e in i["events"]]
        assert costly, unit["unit"]
        missing = [i for i in costly if i[:8] not in text]
        assert missing == [], (unit["unit"], missing)
