"""A Babel extractor for the command line's help: command docstrings and ``help=`` texts are msgids too.

babel.cfg maps ``cli.py`` and ``cli_help.py`` to it. It yields what Babel's Python extractor finds
(``_``, ``gettext``, ``ngettext``, ``N_`` calls) plus, as cli_help.py looks them up, the cleaned
docstring of every function decorated as a click command or group and every literal ``help=`` text.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from typing import IO, Any


def _is_click_command(decorator: ast.expr) -> bool:
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Attribute) and call.attr in ("command", "group")


def extract_click_help(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                       options: dict[str, Any]) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """Babel's extractor protocol: ``(lineno, funcname, message, comments)`` for each message."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    tree = ast.parse(source.decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_click_command(d) for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield node.lineno, None, inspect.cleandoc(doc).partition("\f")[0], []
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    yield kw.value.lineno, None, inspect.cleandoc(kw.value.value), []
