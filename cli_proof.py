"""The ``proof`` commands: a unit's proof file, the consistency of two seals, and the offline check."""

from __future__ import annotations

import os
import sys

import click

from cli_help import LocalizedGroup
from cli_output import FORMAT, emit_json
from cli_params import PublicKey
from cli_session import Session, pass_session, refusals
from ledger.translation import gettext as _


@click.group(cls=LocalizedGroup)
def proof() -> None:
    """Proofs a unit checks without the ledger: its score's events in a signed Merkle tree head (RFC 6962)."""


@proof.command("unit")
@click.option("--year", type=int, required=True, help='The scoring year.')
@click.option("--unit", required=True, help='The unit (code or Chinese name).')
@click.option("--seal", "seal_id", default=None, help="The seal's id (default: the latest seal with a tree head).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The proof file to write (JSON).")
@pass_session
@refusals
def proof_unit(s: Session, year: int, unit: str, seal_id: str | None, output: str) -> None:
    """Write the unit's proof file: its published score at a seal, the events behind it and their inclusion proofs."""
    from projections.unit_proof import unit_proof

    doc = unit_proof(s.app, year, unit, seal_id)
    emit_json(doc, output, s.location)
    click.echo(_("{count} events proven in tree head {size} (seal {seal}); check with: "
                 "proof check {output} --key {key}").format(count=len(doc["events"]), size=doc["seal"]["tree_size"],
                                                            seal=doc["seal"]["id"], output=output,
                                                            key=doc["seal"]["public_key"]), err=True)


@proof.command("consistency")
@click.option("--from", "first", required=True, help="The earlier seal's id.")
@click.option("--to", "second", required=True, help="The later seal's id.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the proof to this file instead of the terminal.")
@pass_session
@refusals
def proof_consistency(s: Session, first: str, second: str, output: str | None) -> None:
    """The consistency proof between two seals' tree heads (JSON on stdout, or in FILE)."""
    from projections.unit_proof import consistency_proof

    emit_json(consistency_proof(s.app, first, second), output, s.location if output else None)


@proof.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "public_key", type=PublicKey(), required=True, help="The centre's published seal public key.")
@FORMAT
@refusals
def proof_check(file: str, public_key: str, fmt: str) -> None:
    """Check a proof file alone (no store needed); exit 1 naming the first thing that fails."""
    from projections.proof_check import check_proof_file

    lines = check_proof_file(file, public_key)
    if fmt == "json":
        emit_json({"ok": True, "lines": lines})
    else:
        for line in lines:
            click.echo(line)
        click.echo(_("proof ok"))
    _end_now()


def _end_now() -> None:
    """End the process now, its report flushed: a large unit's check leaves millions of parsed objects that the
    interpreter's shutdown would free one by one (~0.1 s of its second) just before the operating system drops them
    whole. Only as the process's own command (its own stdout and stderr): in a test's runner or any caller that
    captured the output, the command returns as any other."""
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
