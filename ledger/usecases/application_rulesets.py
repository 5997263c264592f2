"""The rulesets as the application reads them: adopting one for a year, looking each year's up (once per year
within ``cached_rulesets``), and resolving a unit and an item against the ruleset of a year.

A base of ``ledger.usecases.application.LedgerCore`` (which keeps the store these read): the restore checks use the
same ``resolve`` and ``today_in`` on the rulesets a restore has adopted so far.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import MAXYEAR, MINYEAR, date
from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from ledger.aggregates import RulesetBook
from ledger.domain.date_window import today_in
from ledger.domain.errors import NoRuleset, RuleViolation, UnknownItem
from ledger.domain.units import unit_in
from ledger.rulesets.loading import parse_adopted, parse_ruleset, sha256_text
from ledger.rulesets.schema import Item, Ruleset

if TYPE_CHECKING:
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object


class RulesetLookup(_Core):
    """Adopting, looking up and resolving against the rulesets recorded in the store."""

    # ── rulesets ────────────────────────────────────────────────────────────
    def adopt_ruleset(self, year: int, text: str, source: str, actor: str) -> tuple[str, bool]:
        """Adopt ``text`` for ``year``; returns (the book's id, whether anything was recorded)."""
        ruleset = self.ruleset_to_adopt(year, text, source)
        sha = sha256_text(text)
        book_id = RulesetBook.id_for(year)

        def attempt() -> tuple[str, bool]:
            try:
                book = self.repository.get(book_id)
            except AggregateNotFoundError:
                book = RulesetBook.adopt_first(year=year, ruleset_id=ruleset.id, text=text,
                                               sha256=sha, source=source, actor=actor)
                self.save(book)
                return str(book_id), True
            changed = book.adopt(year=year, ruleset_id=ruleset.id, text=text, sha256=sha, source=source, actor=actor)
            if changed:
                self.save(book)
            return str(book_id), changed

        return self._retrying(attempt, f"the {year} ruleset kept changing meanwhile; run init again")

    @staticmethod
    def ruleset_to_adopt(year: int, text: str, source: str) -> Ruleset:
        """Validate a ruleset adopted for ``year`` (shared by ``init`` and restores): the parsed ruleset."""
        # A year's last reports fall due the next year, which must still be a calendar date.
        if not MINYEAR <= year < MAXYEAR:
            raise RuleViolation(f"year {year} is not a scoring year: give one from {MINYEAR} to {MAXYEAR - 1}")
        return parse_ruleset(text, source)

    @contextmanager
    def cached_rulesets(self) -> Iterator[None]:
        """Within this block, look each year's ruleset up once (a file import validates many rows)."""
        self._ruleset_cache: dict[int, Ruleset] | None = {}
        self._resolved: dict[tuple[int, str, str | None], tuple[Ruleset, str, Item | None]] | None = {}
        #: (year, date) pairs found in the year's window and not still to come (a file repeats a year's days).
        self._dates_checked: set[tuple[int, date]] | None = set()
        try:
            yield
        finally:
            self._ruleset_cache = self._resolved = self._dates_checked = None

    def ruleset(self, year: int) -> Ruleset:
        """The ruleset in force for ``year`` (as last adopted)."""
        cache = getattr(self, "_ruleset_cache", None)
        if cache is not None and year in cache:
            return cache[year]
        ruleset = self._load_ruleset(year)
        if cache is not None:
            cache[year] = ruleset
        return ruleset

    def _load_ruleset(self, year: int) -> Ruleset:
        try:
            book = self.repository.get(RulesetBook.id_for(year))
        except AggregateNotFoundError:
            raise NoRuleset(year) from None
        return parse_adopted(book.text, book.sha256)

    # ── validation shared by the recording commands ─────────────────────────
    def today_in(self, ruleset: Ruleset) -> date:
        """Today by the application's clock, in ``ruleset``'s time zone: the latest date a record may carry."""
        return today_in(ruleset, self.clock)

    def resolve(self, year: int, unit: str, item: str | None = None) -> tuple[Ruleset, str, Item | None]:
        """The ruleset for ``year``, the unit's code and the item, or a refusal naming what is unknown."""
        memo = getattr(self, "_resolved", None)
        if memo is not None:  # inside cached_rulesets(): a file repeats the same few (unit, item) pairs
            key = (year, unit, item)
            if key not in memo:
                memo[key] = self._resolve(year, unit, item)
            return memo[key]
        return self._resolve(year, unit, item)

    def _resolve(self, year: int, unit: str, item: str | None) -> tuple[Ruleset, str, Item | None]:
        ruleset = self.ruleset(year)
        found = unit_in(ruleset, unit, year)
        if item is None:
            return ruleset, found.code, None
        try:
            it = ruleset.item_for(found.code, item)
        except KeyError:
            veto = ruleset.veto_item(item)  # a veto's own item: recorded for every unit, scored by none
            if veto is None:
                raise UnknownItem(item, year) from None
            return ruleset, found.code, veto  # type: ignore[return-value]
        if not ruleset.applies(found.code, it.code):  # an item of another unit class (issue 8)
            raise RuleViolation(f"item {it.code} does not apply to {found.code} ({found.name}) "
                                f"in the {year} ruleset: it is scored for other unit classes only", field="item")
        return ruleset, found.code, it

    def item_recorded_as(self, unit: str, item: str, on: date) -> str | None:
        """How ``item`` is recorded in the ruleset for ``on``'s year (``ledger.usecases.recording.recorded_as``),
        validating unit and item."""
        from ledger.usecases.recording import recorded_as

        _ruleset, _unit, it = self.resolve(on.year, unit, item)
        return recorded_as(it)
