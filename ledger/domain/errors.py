"""The ledger's error vocabulary: every refusal names what was wrong and where.

Any other exception is a bug and should crash loudly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.translation import gettext as _


class LedgerError(Exception):
    """A domain refusal: the command changed nothing (exit status 1).

    Attributes:
        field: the input the refusal is about (``unit``, ``item``, ``year``, ``date``, ``count``, ``points``,
            ``evidence``), or None for the command as a whole: an import names the cell at fault from it.
    """

    field: str | None = None


class UnknownUnit(LedgerError):
    """A unit that the adopted ruleset does not name."""

    field = "unit"

    def __init__(self, unit: str, year: int, known: Sequence[str]) -> None:
        super().__init__(_("unknown unit {unit} in the {year} ruleset (known: {known})").format(
            unit=repr(unit), year=year, known=", ".join(known)))


class UnknownItem(LedgerError):
    """An item code that the adopted ruleset does not have."""

    field = "item"

    def __init__(self, item: str, year: int) -> None:
        super().__init__(_("unknown item {item} in the {year} ruleset (see `rules show --year {year}`)").format(
            item=repr(item), year=year))


class RuleViolation(LedgerError):
    """A recording that breaks a rule (kind mismatch, points out of range, a double retraction …)."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class Conflict(RuleViolation):
    """A refusal because of what is already there: a dispute decided already, one open already, a taken id."""


class NotFound(LedgerError):
    """An id that names nothing in the ledger."""


class NoRuleset(LedgerError):
    """A year with no adopted ruleset."""

    field = "year"

    def __init__(self, year: int) -> None:
        super().__init__(_("no ruleset adopted for {year}: run `hotline-ledger init --year {year}` first")
                         .format(year=year))


class RulesetInvalid(LedgerError):
    """A ruleset file that does not validate; ``problems`` are ``key.path: message`` lines."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


class StoreUnavailable(LedgerError):
    """The store URL is malformed or the store cannot be reached."""


class NotPermitted(LedgerError):
    """The store's role lacks a right the command needs (a reader recording, say)."""


def event_name(notification_id: int | None, originator_id: str | None, version: int | None = None) -> str:
    """How a message names a stored event: ``event #12 (<originator id> v3)``."""
    where = _("event") if notification_id is None else _("event #{id}").format(id=notification_id)
    if originator_id is None:
        return where
    return f"{where} ({originator_id} v{version})" if version is not None else f"{where} ({originator_id})"


class RefusedEvent(LedgerError):
    """A stored event that a read will not use; the message names it (notification id, originator id, version).

    Attributes:
        notification_id: its position in the ledger's global order (None when the reader does not
        know it). originator_id: its aggregate. version: its version in that aggregate.
    """

    def __init__(self, notification_id: int | None, originator_id: str | None, version: int | None,
                 message: str) -> None:
        self.notification_id, self.originator_id, self.version = notification_id, originator_id, version
        super().__init__(f"{event_name(notification_id, originator_id, version)} {message}")


class UnreadableEvent(RefusedEvent):
    """A stored event that cannot be decoded (its bytes were altered, or a wrong key)."""

    def __init__(self, notification_id: int, originator_id: str, problem: str, version: int | None = None) -> None:
        super().__init__(notification_id, originator_id, version,
                         _("cannot be read: {problem}").format(problem=problem))


class ForeignEvent(RefusedEvent):
    """A stored row the ledger did not write: its type (or the aggregate it would create) is not the ledger's.

    Nothing the row names is imported or called. Raised by the mapper, which does not know the
    notification id; a reader that does fills it in with ``at``.
    """

    def __init__(self, notification_id: int | None, originator_id: str, version: int | None, problem: str) -> None:
        self.problem = problem
        super().__init__(notification_id, originator_id, version,
                         _("is not a ledger event: {problem}; run `verify`").format(problem=problem))

    def at(self, notification_id: int) -> ForeignEvent:
        """The same refusal, naming the event's notification id."""
        return ForeignEvent(notification_id, str(self.originator_id), self.version, self.problem)


class BrokenLink(RefusedEvent):
    """A stored event that does not match the tamper-evidence chain: the read stops before applying it."""

    def __init__(self, notification_id: int, originator_id: str | None, version: int | None, reason: str) -> None:
        self.reason = reason
        super().__init__(notification_id, originator_id, version,
                         _("fails the tamper-evidence chain: {reason}; nothing was read from it; run `verify`")
                         .format(reason=reason))


class ImportRejected(LedgerError):
    """An import refused as a whole: nothing was applied; ``errors`` lists every bad row, sorted.

    Each error is a ``RowError`` (``ledger.usecases.imports.tabular``) printing as ``FILE:ROW:COLUMN: message``.
    """

    def __init__(self, errors: list[Any]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
