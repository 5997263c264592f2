"""The accounts listing: every account as the read model holds it (a replay of the account events)."""

from __future__ import annotations

import sqlite3
from typing import Any

from ledger.domain.policy import ROLES


def account_rows(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every account, ordered by login: who it is, its role (and Chinese label), unit, state and last change."""
    rows = db.execute("SELECT login, name, role, unit, enabled, password_set, tokens, opened_at, opened_by, "
                      "changed_at, changed_by FROM accounts ORDER BY login")
    return [{"login": r["login"], "name": r["name"], "role": r["role"], "role_label": ROLES[r["role"]].label,
             "unit": r["unit"], "enabled": bool(r["enabled"]), "password_set": bool(r["password_set"]),
             "tokens": r["tokens"], "opened_at": r["opened_at"], "opened_by": r["opened_by"],
             "changed_at": r["changed_at"], "changed_by": r["changed_by"]} for r in rows]


def accounts_table(rows: list[dict[str, Any]]) -> Any:
    """The accounts listing for people (a rich table)."""
    from rich.table import Table

    t = Table(title="账号", title_justify="left")
    for col in ("登录名", "姓名", "角色", "单位", "状态", "密码", "令牌", "最近变更"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["login"], r["name"], f"{r['role_label']} ({r['role']})", r["unit"] or "",
                  "启用" if r["enabled"] else "停用", "已设置" if r["password_set"] else "未设置", str(r["tokens"]),
                  f"{r['changed_at'][:19]} {r['changed_by']}")
    return t
