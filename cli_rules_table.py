"""``rules show`` as a table: every item with its kind and parameters."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from cli_terminal_text import literal as lit
from ledger.rulesets.check import describe_item, n
from ledger.rulesets.schema import Ruleset
from ledger.translation import gettext as _
from projections import wording


def _override(values: dict[str, object]) -> str:
    """A unit's adjustment of an item's parameters as a person reads it (``threshold = 92``), not a Python repr."""
    def shown(value: object) -> str:
        return n(Decimal(str(value))) if isinstance(value, int | float | Decimal) and not isinstance(value, bool) \
            else str(value)

    return ", ".join(f"{key} = {shown(value)}" for key, value in values.items())


def _section_caps(cap: Decimal | None, bonus_cap: Decimal | None) -> str:
    """A section's caps in words: its points with the bonus, and its bonus alone (empty without caps)."""
    parts = [_("at most {points} with its bonus").format(points=n(cap))] if cap is not None else []
    parts += [_("bonus at most {points}").format(points=n(bonus_cap))] if bonus_cap is not None else []
    return ", ".join(parts)


def _total_caps(total_cap: Decimal | None, bonus_cap: Decimal | None) -> str:
    """The ruleset-wide caps in words (empty without caps)."""
    parts = [_("total at most {points}, bonus included").format(points=n(total_cap))] if total_cap is not None else []
    parts += [_("bonus at most {points} in all").format(points=n(bonus_cap))] if bonus_cap is not None else []
    return "; ".join(parts)


def print_ruleset(console: Console, ruleset: Ruleset, year: int) -> None:
    """Units, sections, pools and items of the ruleset in force."""
    console.print(f"[bold]{lit(ruleset.name)}[/bold] ({lit(ruleset.id)}) — {year}")
    units = Table(title=_("Units"), title_justify="left")
    for col in (_("Code"), _("Name"), _("Adjusted parameters")):
        units.add_column(col)
    for u in ruleset.units:
        units.add_row(lit(u.code), lit(u.name), lit("; ".join(f"{k}: {_override(v)}" for k, v in u.overrides.items())))
    console.print(units)
    items = Table(title=_("Items"), title_justify="left")
    for col in (_("Code"), _("Item"), _("Kind"), _("Max / pool"), _("Rule")):
        items.add_column(col)
    for s in ruleset.sections:
        items.add_row(f"[bold]{lit(s.code)}[/bold]", f"[bold]{lit(s.name)}[/bold]", wording.kind("section"),
                      n(s.max), lit(_section_caps(s.cap, s.bonus_cap)))
        for p in ruleset.pools:
            if p.section == s.code:
                floor = _("at least {points}").format(points=n(p.min_points)) if p.min_points else ""
                items.add_row(lit(p.code), lit(p.name), wording.kind("pool"), n(p.max), floor)
        for i in ruleset.items:
            if i.section != s.code:
                continue
            # The rule in words, as `rules check` says it (ledger/rulesets/check.py), not the model's fields.
            where = _("pool {code}").format(code=i.pool) if i.pool else n(getattr(i, "max", None) or 0)
            items.add_row(lit(i.code), lit(i.name), wording.kind(i.kind), lit(where), lit(describe_item(ruleset, i)))
    console.print(items)
    caps = _total_caps(ruleset.scoring.total_cap, ruleset.scoring.bonus_cap)
    if caps:
        console.print(lit(caps))
