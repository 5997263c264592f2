"""Commands that keep the ledger checkable: ``verify``, ``seal`` (and its keys) and ``export``."""

from __future__ import annotations

import os
import sys

import click

from cli_help import LocalizedCommand, LocalizedGroup
from cli_output import FORMAT, emit_json
from cli_params import PublicKey, parse_seal
from cli_session import Session, pass_session, refusals
from ledger.translation import gettext as _


@click.command(cls=LocalizedCommand)
@click.option("--seal", "sealed", multiple=True, metavar="ID:HASH",
              help="A published head to check against (repeatable), e.g. from a bulletin.")
@click.option("--key", "pinned", multiple=True, type=PublicKey(), envvar="HOTLINE_LEDGER_SEAL_PUBLIC",
              help="A published seal public key (repeatable; env HOTLINE_LEDGER_SEAL_PUBLIC): "
                   "every seal must be signed by one of them.")
@FORMAT
@pass_session
@refusals
def verify(s: Session, sealed: tuple[str, ...], pinned: tuple[str, ...], fmt: str) -> None:
    """Check the chain, the seals, the read model (against a replay) and the evidence; exit 1 naming a failure."""
    from ledger.storage.audit import audit

    report = audit(s.app, [parse_seal(x) for x in sealed], pinned)
    if fmt == "json":
        emit_json(report)
    else:
        for line in report["lines"]:
            if line not in report["problems"]:
                click.echo(line)
    for line in report["problems"]:
        click.echo(line, err=True)
    if not report["ok"]:
        sys.exit(1)



@click.group(cls=LocalizedGroup, invoke_without_command=True)
@click.option("--note", default="", help="e.g. the bulletin the head is printed in")
@click.option("--unsigned", is_flag=True, help="Record the seal without a signature (no key at hand).")
@FORMAT
@click.pass_context
@refusals
def seal(ctx: click.Context, note: str, unsigned: bool, fmt: str) -> None:
    """Record the current chain head, signed with the key in HOTLINE_LEDGER_SEAL_KEY, so it can be published."""
    if ctx.invoked_subcommand is not None:
        return
    from ledger.storage.signing import KEY_ENV, PUBLIC_ENV, SealKeyError, load_key, parse_public, split_publics

    s = ctx.find_object(Session)
    path = os.environ.get(KEY_ENV)
    if not unsigned and not path:
        raise SealKeyError(_("nothing sealed: set {variable} to the seal's private key file (make one with "
                             "`seal keygen FILE`), or record an unsigned seal with --unsigned")
                           .format(variable=KEY_ENV))
    key = None if unsigned else load_key(path or "")
    trusted = [parse_public(k) for k in split_publics(os.environ.get(PUBLIC_ENV, ""))]
    doc = s.app.seal_verified(note=note, actor=s.actor, key=key, trusted=trusted)
    if fmt == "json":
        emit_json(doc)
        return
    nid, head = doc["notification_id"], doc["head"]
    click.echo(_("sealed #{id} {head}").format(id=nid, head=head))
    click.echo(_("tree head: {size} events, root {root}").format(size=doc["tree_size"], root=doc["tree_root"]))
    click.echo(_("unsigned") if not doc["signed"] else _("signed by {fingerprint} ({public_key})").format(**doc))
    click.echo(_("publish this line; check later with: verify --seal {id}:{head}").format(id=nid, head=head))


@seal.command("keygen")
@click.argument("file", type=click.Path(dir_okay=False))
@FORMAT
@refusals
def seal_keygen(file: str, fmt: str) -> None:
    """Write a new Ed25519 seal key to FILE (mode 0600, never over an existing file) and print its public key."""
    from ledger.storage.signing import KEY_ENV, fingerprint, generate_key

    public = generate_key(file)
    if fmt == "json":
        emit_json({"file": file, "public_key": public, "fingerprint": fingerprint(public)})
        return
    click.echo(_("public key: {public}\nfingerprint: {fingerprint}").format(public=public,
                                                                           fingerprint=fingerprint(public)))
    click.echo(_("publish the public key; sign with {variable}={file} (keep that file off the database server); "
                 "check with: verify --key {public}").format(variable=KEY_ENV, file=file, public=public))


@click.command("export", cls=LocalizedCommand)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@FORMAT
@pass_session
@refusals
def export_(s: Session, file: str, fmt: str) -> None:
    """Write the whole ledger to FILE as JSON Lines (events, chain hashes, evidence): a backup or a move."""
    from ledger.storage.export import write_export
    from ledger.storage.output_file import check_target, output_file

    check_target(file, s.location)  # before the store is even opened
    app = s.app  # opened (and its key checked) before FILE is created or replaced
    with output_file(file, s.location) as out:
        summary = write_export(app, out)
    if fmt == "json":
        emit_json({"file": file, "events": summary["events"], "evidence": summary["evidence"],
                   "head": summary["head"]})
    else:
        click.echo(_("exported {events} events and {evidence} evidence files to {file} (chain head {head})")
                   .format(file=file, **summary))
