"""How commands render: tables on a rich console, the ``--format`` option, ids, JSON documents and files."""

from __future__ import annotations

import json
from typing import Any

import click

from ledger.translation import gettext as _


def console() -> Any:
    """A rich console for the tables people read (imported only by commands that print one).

    No emoji codes: stored text such as ``:warning:`` is shown as typed (see cli_terminal_text.py).
    """
    from rich.console import Console

    return Console(emoji=False)


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                      help='table for people, json for scripts (stdout holds nothing but the JSON).')


def emit_id(fmt: str, new_id: str, label: str, **extra: Any) -> None:
    """A recording command's output: the new id (``{"id": …}`` in JSON)."""
    if fmt == "json":
        click.echo(json.dumps({"id": new_id, **extra}, ensure_ascii=False))
    else:
        click.echo(f"{_(label)} {new_id}")


def emit_json(doc: Any, output: str | None = None, store: Any = None) -> None:
    """A reading command's JSON document on stdout, or in ``output`` when given (orjson: json.dumps with an indent
    is pure Python, and slow for a trace listing thousands of events). ``store``: the StoreLocation whose own
    files ``output`` may not be (ledger/storage/output_file.py)."""
    import orjson

    data = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    if output is None:
        click.echo(data.decode())
        return
    emit_file(output, store, data + b"\n")


def emit_file(output: str, store: Any, data: bytes) -> None:
    """Write a finished report to ``output``: never one of the store's files, renamed into place when complete."""
    from ledger.storage.output_file import write_output

    write_output(output, store, data)
    click.echo(_("wrote {file}").format(file=output), err=True)
