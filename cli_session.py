"""What every command shares (the store, the actor, the application opened on demand) and how refusals end it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property, wraps
from pathlib import Path
from typing import Any

import click

from ledger.domain.defaults import default_zone
from ledger.domain.errors import ImportRejected, LedgerError, StoreUnavailable
from ledger.storage.store import parse_store
from ledger.translation import gettext as _


class Session:
    """What every command shares: the store, the actor, and the application opened on demand.

    A new SQLite store that a refused command created holds nothing and is removed again (``discard_if_fresh``):
    a refusal in an empty folder leaves it empty.
    """

    def __init__(self, store: str, actor: str) -> None:
        self.store, self.actor = store, actor
        self.created: list[Path] = []

    @cached_property
    def location(self) -> Any:
        return parse_store(self.store)

    def _new_files(self) -> list[Path]:
        """The files an SQLite store at this location would create, if its database does not exist yet."""
        if self.location.kind != "sqlite":
            return []
        db = Path(self.location.env["SQLITE_DBNAME"])
        if db.exists():
            return []
        near = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")]
        views = self.location.views_path
        if views is not None:
            near += [views, Path(f"{views}-wal"), Path(f"{views}-shm"), Path(f"{views}-journal")]
        return [p for p in near if not p.exists()] + [p for p in [self.location.evidence_dir] if p and not p.exists()]

    @cached_property
    def app(self) -> Any:
        from ledger.usecases.application import Ledger

        self.created = self._new_files()
        try:
            return Ledger(self.location)  # it takes HOTLINE_LEDGER_CIPHER_KEY itself, and checks it
        except LedgerError:
            _remove(self.created)  # a store made by this failed opening holds nothing
            raise
        except Exception as e:  # connection refused, bad credentials, missing rights …
            from ledger.storage.provisioning import first_line, mask

            _remove(self.created)
            raise StoreUnavailable(
                _("cannot open the store {store}: {problem}").format(
                    store=self.location.display, problem=mask(first_line(e), self.location))) from None

    def today(self) -> date:
        return datetime.now(default_zone()).date()

    def close(self) -> None:
        """Close the application if a command opened it (its pooled connections go back to the server now,
        not when the process or the garbage collector ends them — several commands may run in one process)."""
        app = self.__dict__.pop("app", None)
        if app is not None:
            app.close()

    def discard_if_fresh(self) -> None:
        """After a refusal: remove the store this command created, if it holds no event (nothing was recorded)."""
        if not self.created or "app" not in self.__dict__:
            return
        app = self.__dict__.pop("app")
        if app.recorder.max_notification_id():
            app.close()
            return
        app.close()
        _remove(self.created)


def _remove(created: list[Path]) -> None:
    """Remove the files (and empty folders) a store made that were not there before this command."""
    for path in created:
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.exists():
            path.unlink()


def refusals(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain refusals into exit status 1 with one clear message (never a traceback); a store that the
    refused command created is removed again (``Session.discard_if_fresh``)."""
    answered = _answered(f)

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return answered(*args, **kwargs)
        except BaseException:
            ctx = click.get_current_context(silent=True)
            session = ctx.find_object(Session) if ctx is not None else None
            if session is not None:
                session.discard_if_fresh()
            raise

    return wrapper


def _answered(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with the ledger's refusals and the store's failures turned into ClickExceptions (exit status 1)."""

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

        from ledger.storage.chain import ChainBrokenError

        try:
            return f(*args, **kwargs)
        except ImportRejected as e:
            raise click.ClickException(_("nothing was imported; fix these rows:") + f"\n{e}") from None
        except LedgerError as e:
            raise click.ClickException(str(e)) from None
        except ChainBrokenError as e:
            raise click.ClickException(_("the ledger's tamper-evidence chain is broken: {problem}; run `verify`")
                                       .format(problem=e)) from None
        except MapperDeserialisationError:
            raise click.ClickException(
                _("cannot read the stored events: wrong or missing HOTLINE_LEDGER_CIPHER_KEY for this ledger")
            ) from None
        except PersistenceError as e:
            from ledger.storage.provisioning import first_line

            raise click.ClickException(_("the store refused the operation: {problem}").format(problem=first_line(e))) \
                from None
        except OSError as e:
            # click.Path checks an --output/FILE only if it exists: a missing directory surfaces here.
            if e.filename is None:
                raise
            raise click.ClickException(f"{e.filename}: {e.strerror}") from None

    return wrapper


pass_session = click.make_pass_decorator(Session)
