"""The message catalogue: every marked message has a Chinese translation, and the committed .mo is the .po
compiled (so a pip install, editable or a wheel, carries what the .po says)."""

from __future__ import annotations

import gettext
import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "ledger/locale/zh_CN/LC_MESSAGES/hotline_ledger.po"
MO = PO.with_suffix(".mo")


def _ours(tmp_path: Path) -> list[str | tuple[str, ...]]:
    """The msgids extracted from our own code (not click's) exactly as scripts/messages.sh does."""
    pot = tmp_path / "ours.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "--no-location",
                    "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    return [m.id for m in read_po(pot.open("rb")) if m.id]


def test_every_message_of_ours_is_translated_into_chinese(tmp_path: Path) -> None:
    catalogue = read_po(PO.open("rb"))
    ids = _ours(tmp_path)
    assert len(ids) > 150  # the extraction found the help texts and the messages
    untranslated = []
    for msgid in ids:
        message = catalogue.get(msgid)
        text = message.string if message is not None else ""
        if not (text if isinstance(text, str) else all(text)):
            untranslated.append(msgid)
    assert untranslated == [], f"add these to {PO.relative_to(ROOT)} (scripts/messages.sh): {untranslated}"


def test_the_committed_mo_is_the_po_compiled() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, read_po(PO.open("rb")))
    expected = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))._catalog  # type: ignore[attr-defined]
    committed = gettext.GNUTranslations(MO.open("rb"))._catalog  # type: ignore[attr-defined]
    assert committed == expected, "run scripts/messages.sh and commit the .mo"


def test_translations_keep_every_placeholder_of_their_msgid() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for message in read_po(PO.open("rb")):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "{" not in ids[0]:
            continue
        allowed = set().union(*(fields(i) for i in ids))
        for text in strings:
            assert fields(text) <= allowed, (message.id, text)


@pytest.mark.slow
def test_a_wheel_carries_the_catalogue_and_the_help_module(tmp_path: Path) -> None:
    """``pip install`` of a wheel speaks Chinese too: the compiled catalogue is package data."""
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("hotline_ledger-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"ledger/locale/zh_CN/LC_MESSAGES/hotline_ledger.mo", "cli_help.py", "ledger/translation.py"} <= names
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("ledger/locale/zh_CN/LC_MESSAGES/hotline_ledger.mo") == MO.read_bytes()
