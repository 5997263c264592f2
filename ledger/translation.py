"""The language people read: Chinese by default, English when the locale says English.

Messages are written in English in the source (``_("unknown unit {unit}")``, the gettext convention:
the code, its names and its docs are English) and translated by the ``zh_CN`` catalogue in
``ledger/locale`` (``hotline_ledger.po``, compiled to the ``.mo`` committed beside it; see
docs/translations.md). The language is chosen per message, from the environment at that moment:
the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides (POSIX precedence); a
value starting with ``en`` means English, anything else (unset, ``C``, ``zh_CN.UTF-8`` …) Chinese.
Text that was always Chinese (reports, trace explanations) is the publication's language, not a
message, and is not translated.
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "hotline_ledger"
LOCALE_DIR = Path(__file__).with_name("locale")
ENGLISH, CHINESE = "en", "zh_CN"


def language() -> str:
    """``en`` or ``zh_CN``, from LC_ALL, then LC_MESSAGES, then LANG (the first one set decides)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return ENGLISH if value.lower().startswith("en") else CHINESE
    return CHINESE


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English is the source text itself)."""
    if lang == ENGLISH:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def gettext(message: str) -> str:
    """``message`` in the reader's language."""
    return catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, in the reader's language."""
    return catalogue(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (translated where it is shown)."""
    return message


_ = gettext

#: click's modules bind ``gettext.gettext``/``ngettext`` at import; they are rebound to ours so that
#: click's own words (Usage, Options, Missing option …) follow the same language rule.
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui",
                  "types", "utils")


def localize_click() -> None:
    """Make click's own messages speak the reader's language (their msgids are in our catalogue)."""
    import importlib

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
