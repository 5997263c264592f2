"""``rules show`` as a table: every item with its kind and parameters."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ledger.rulesets.schema import Ruleset
from projections.reports.terminal_text import literal as lit

_SKIP = {"code", "name", "section", "kind"}


def print_ruleset(console: Console, ruleset: Ruleset, year: int) -> None:
    """Units, sections, pools and items of the ruleset in force."""
    console.print(f"[bold]{lit(ruleset.name)}[/bold] ({lit(ruleset.id)}) — {year}")
    units = Table(title="单位", title_justify="left")
    for col in ("代码", "名称", "参数调整"):
        units.add_column(col)
    for u in ruleset.units:
        units.add_row(lit(u.code), lit(u.name), lit("; ".join(f"{k}: {v}" for k, v in u.overrides.items())))
    console.print(units)
    items = Table(title="评价项目", title_justify="left")
    for col in ("代码", "项目", "类型", "满分/分池", "参数"):
        items.add_column(col)
    for s in ruleset.sections:
        items.add_row(f"[bold]{lit(s.code)}[/bold]", f"[bold]{lit(s.name)}[/bold]", "section", str(s.max), "")
        for p in ruleset.pools:
            if p.section == s.code:
                items.add_row(lit(p.code), lit(p.name), "pool", str(p.max), f"min_points={p.min_points}")
        for i in ruleset.items:
            if i.section != s.code:
                continue
            params = {k: v for k, v in i.model_dump().items() if k not in _SKIP and v is not None}
            where = f"pool {params.pop('pool')}" if "pool" in params else str(params.pop("max", ""))
            items.add_row(lit(i.code), lit(i.name), lit(i.kind), lit(where),
                          lit(", ".join(f"{k}={v}" for k, v in params.items())))
    console.print(items)
