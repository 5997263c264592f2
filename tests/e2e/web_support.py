"""Shared set-up of the web tests: a store with this year's ruleset, one account per role, a client.

Passwords are hashed with argon2's cheapest parameters (as in test_cli_users.py) to keep the suite fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year
DAY = f"{YEAR}-03-04"
PW = "correct horse battery"
#: login → (role, unit)
ACCOUNTS = {"admin": ("admin", None), "clerk": ("clerk", None), "unit": ("unit", "taishan"),
            "auditor": ("auditor", None), "viewer": ("viewer", None), "daiyue": ("unit", "daiyue")}
ROLES = ("admin", "clerk", "unit", "auditor", "viewer")


@dataclass
class Site:
    """The service on a fresh store, with its Ledger application and each account's API token."""

    client: TestClient
    app: Any
    tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, login: str) -> dict[str, str]:
        """The Authorization header of ``login``'s token."""
        return {"Authorization": f"Bearer {self.tokens[login]}"}

    def occurrence(self, unit: str = "taishan", item: str = "2.1", count: int = 1) -> str:
        """A new occurrence recorded by the centre (through the use case, as the CLI would)."""
        from datetime import date

        return self.app.record_occurrence(unit=unit, item=item, on=date.fromisoformat(DAY), evidence="工单TA-1",
                                          count=count, actor="clerk")

    def login(self, login: str, password: str = PW, client: TestClient | None = None) -> Any:
        """POST /api/v1/session; the client keeps the cookie."""
        return (client or self.client).post("/api/v1/session", json={"login": login, "password": password})


def make_site(store_url: str, monkeypatch: Any) -> Site:
    """Adopt this year's ruleset, open the accounts, start the service on the store."""
    import argon2
    from argon2 import PasswordHasher

    import ledger.usecases.accounts as accounts_module
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger
    from web.app import create_app

    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))
    app = Ledger(parse_store(store_url))
    from ledger.rulesets.loading import builtin_text

    app.adopt_ruleset(YEAR, builtin_text(), "built-in", "root")
    site = Site(TestClient(create_app(store_url, ledger=app), base_url="http://testserver"), app)
    for login, (role, unit) in ACCOUNTS.items():
        app.add_account(login=login, role=role, unit=unit, actor="root", password=PW)
        site.tokens[login] = app.issue_token(login, "root")
    return site
