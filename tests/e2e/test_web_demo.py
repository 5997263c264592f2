"""``demo --serve``'s accounts: one per role, passwords printed once, new ones on a second run."""

from __future__ import annotations

import argon2
import pytest
from argon2 import PasswordHasher

import ledger.usecases.accounts as accounts_module
from ledger.usecases.accounts import NotAuthenticated
from ledger.usecases.demo import DEMO_ACCOUNTS, demo_accounts


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))


def test_the_demo_opens_one_account_per_role_whose_printed_password_logs_in(ledger) -> None:
    passwords = demo_accounts(ledger, "demo")
    assert {ledger.authenticate_password(login, pw).role for login, pw in passwords.items()} == {
        "admin", "clerk", "unit", "auditor", "viewer"}
    assert ledger.account("taishan").unit == "taishan"
    assert set(passwords) == set(DEMO_ACCOUNTS)


def test_a_second_demo_run_gives_new_passwords_and_the_old_ones_stop_working(ledger) -> None:
    first = demo_accounts(ledger, "demo")
    second = demo_accounts(ledger, "demo")
    assert ledger.authenticate_password("clerk", second["clerk"]).login == "clerk"
    with pytest.raises(NotAuthenticated):
        ledger.authenticate_password("clerk", first["clerk"])
