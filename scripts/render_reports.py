#!/usr/bin/env python3
"""Render the published reports as they print, so anyone can look at them again (issue 14).

Records the demo year into a fresh SQLite store and seals it with a throwaway key, writes the
score workbook and page and the monthly bulletin (workbook and page), converts the workbooks to
PDF with LibreOffice and the pages with Chromium's print, and rasterises to PNG with pdftoppm the
first page of every sheet of a workbook (a sheet starts with its title, "2025年…") and the first
pages of a web page:

    .venv/bin/python scripts/render_reports.py [--out DIR] [--year 2025] [--month 10] [--pages N]

Needs `soffice`, `pdftoppm` and (for the pages) `chromium`; prints each PDF's page count and
the PNGs written. Nothing here is a test: look at the PNGs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CLI = str(Path(sys.executable).with_name("hotline-ledger"))


def run(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(list(args), check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def sheet_starts(pdf: Path, year: int) -> list[int]:
    """The PDF pages on which a workbook sheet begins: its first line is the sheet's title."""
    starts = []
    for page in range(1, pages(pdf) + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if first.startswith(f"{year}年"):
            starts.append(page)
    return starts


def to_pdf(source: Path, out: Path, profile: Path) -> Path:
    """A workbook through LibreOffice, a page through Chromium's print to PDF (A4, as a reader prints)."""
    if source.suffix == ".xlsx":
        run("soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", str(out), str(source))
        return out / f"{source.stem}.pdf"
    pdf = out / f"{source.stem}.html.pdf"
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("no chromium: cannot print the html pages")
    run(browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}", source.resolve().as_uri())
    return pdf


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("renders"), help="where the files and PNGs go (default: renders)")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--month", type=int, default=10, help="the bulletin's month (default: 10)")
    ap.add_argument("--pages", type=int, default=12, help="PNGs of at most this many pages per PDF (default: 12)")
    ap.add_argument("--dpi", type=int, default=80)
    a = ap.parse_args()
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="render-") as tmp:
        work = Path(tmp)
        store = ["--store", f"sqlite:///{work / 'demo.db'}"]
        run(CLI, *store, "demo", "--year", str(a.year), cwd=work)
        # Sealed as a centre seals before it publishes: the reports print the signed tree head.
        run(CLI, "seal", "keygen", str(work / "seal.pem"), cwd=work)
        subprocess.run([CLI, *store, "seal", "--note", "演示年度"], check=True, cwd=work, stdout=subprocess.DEVNULL,
                       env={**os.environ, "HOTLINE_LEDGER_SEAL_KEY": str(work / "seal.pem")}, timeout=600)
        as_of = ("--as-of", f"{a.year}-12-31")
        written = [out / "score.xlsx", out / "score.html", out / "bulletin.xlsx", out / "bulletin.html"]
        for path in written[:2]:
            run(CLI, *store, "score", "--year", str(a.year), *as_of, "--format", path.suffix[1:],
                "--output", str(path), cwd=work)
        for path in written[2:]:
            run(CLI, *store, "bulletin", "--year", str(a.year), "--month", str(a.month),
                "--format", path.suffix[1:], "--output", str(path), cwd=work)
        for path in written:
            pdf = to_pdf(path, out, work / "lo")
            count = pages(pdf)
            stem = pdf.stem.replace(".", "-")
            chosen = sheet_starts(pdf, a.year) if path.suffix == ".xlsx" else list(range(1, count + 1))
            for page in chosen[:a.pages]:
                run("pdftoppm", "-r", str(a.dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf),
                    str(out / f"{stem}-p{page:03d}"))
            print(f"{pdf.name}: {count} pages; PNGs of pages {chosen[:a.pages]} as {stem}-p*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
