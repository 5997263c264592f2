"""Accounts against the in-memory store: the role policy, the hashing and the authentication rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import argon2
import pytest
from argon2 import PasswordHasher

import ledger.usecases.accounts as accounts_module
from ledger.aggregates import Account
from ledger.domain.policy import ACTIONS, ROLES, may
from ledger.rulesets.loading import builtin_text
from ledger.storage.credentials import PASSWORD, TOKEN
from ledger.usecases.accounts import AccountInfo, NotAuthenticated, token_hash

PW = "correct horse battery"
CHEAP = PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)


def account(role: str, unit: str | None = None, enabled: bool = True) -> AccountInfo:
    return AccountInfo(login="x", name="", role=role, unit=unit, enabled=enabled)


class TestPolicy:
    def test_an_admin_may_manage_accounts_and_a_clerk_may_not(self):
        assert may(account("admin"), "accounts") and not may(account("clerk"), "accounts")

    def test_a_clerk_records_and_decides_and_an_auditor_does_neither(self):
        assert may(account("clerk"), "record") and may(account("clerk"), "decide")
        assert not may(account("auditor"), "record") and not may(account("auditor"), "decide")

    def test_an_auditor_verifies_exports_and_downloads_evidence(self):
        assert all(may(account("auditor"), a) for a in ("verify", "export", "evidence", "read_all"))

    def test_a_viewer_reads_every_units_score_but_no_evidence_and_writes_nothing(self):
        viewer = account("viewer")
        assert may(viewer, "read_scores") and may(viewer, "read_ranking")
        assert not any(may(viewer, a) for a in ("evidence", "record", "dispute", "read_all", "import"))

    def test_a_unit_reads_and_disputes_its_own_unit_only(self):
        unit = account("unit", unit="taishan")
        assert may(unit, "read_own_unit", unit="taishan") and may(unit, "dispute", unit="taishan")
        assert may(unit, "evidence", unit="taishan")
        assert not may(unit, "read_own_unit", unit="daiyue") and not may(unit, "evidence", unit="daiyue")
        assert not may(unit, "read_own_unit")  # a listing of everything: the caller narrows it to the unit
        assert not may(unit, "read_all") and not may(unit, "read_scores") and may(unit, "read_ranking")

    def test_an_admin_may_everything_a_clerk_may(self):
        assert ROLES["clerk"].anywhere < ROLES["admin"].anywhere

    def test_a_disabled_account_may_nothing(self):
        assert not any(may(account(role, unit="taishan", enabled=False), a, unit="taishan")
                       for role in ROLES for a in ACTIONS)

    def test_an_unknown_action_is_a_programming_error(self):
        with pytest.raises(ValueError, match="unknown action 'reed'"):
            may(account("admin"), "reed")


@pytest.fixture
def ledger(memory_ledger: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(accounts_module, "_HASHER", CHEAP)
    memory_ledger.adopt_ruleset(datetime.now().year, builtin_text(), "built-in:taian", "admin")
    return memory_ledger


def stored_password_hash(ledger: Any, login: str) -> str:
    return ledger.credentials.get(PASSWORD, Account.id_for(login).hex)[1]


def test_a_password_is_kept_as_an_argon2id_hash_with_rfc_9106_parameters(ledger, monkeypatch):
    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher())  # the real parameters, once
    ledger.add_account(login="alice", role="clerk", password=PW, actor="root")
    kept = stored_password_hash(ledger, "alice")
    assert kept.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PW not in kept
    assert ledger.authenticate_password("alice", PW).login == "alice"


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_login(ledger, monkeypatch):
    ledger.add_account(login="alice", role="clerk", password=PW, actor="root")
    old = stored_password_hash(ledger, "alice")
    assert "$m=8,t=1,p=1$" in old
    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher())
    ledger.authenticate_password("alice", PW)
    new = stored_password_hash(ledger, "alice")
    assert new != old and "$m=65536,t=3,p=4$" in new
    assert ledger.authenticate_password("alice", PW).login == "alice"


def test_an_unknown_login_is_refused_with_the_same_message_as_a_wrong_password(ledger):
    ledger.add_account(login="alice", role="clerk", password=PW, actor="root")
    messages = set()
    for login, password in (("alice", "not the password"), ("nobody", PW), ("bad login!", PW), ("alice", "")):
        with pytest.raises(NotAuthenticated) as refused:
            ledger.authenticate_password(login, password)
        messages.add(str(refused.value))
    assert messages == {"wrong login or password"}


def test_an_account_opened_without_a_password_cannot_log_in(ledger):
    ledger.add_account(login="bot", role="auditor", actor="root")
    with pytest.raises(NotAuthenticated, match="wrong login or password"):
        ledger.authenticate_password("bot", PW)


def test_a_token_is_kept_only_as_its_sha256(ledger):
    ledger.add_account(login="bot", role="auditor", actor="root")
    token = ledger.issue_token("bot", actor="root", label="ci")
    token_id, secret = token.split(".")
    assert len(secret) == 43  # secrets.token_urlsafe(32)
    assert ledger.credentials.get(TOKEN, token_id) == (Account.id_for("bot").hex, token_hash(token))


def test_a_revoked_token_stays_refused_even_if_its_hash_were_left_behind(ledger):
    ledger.add_account(login="bot", role="auditor", actor="root")
    token = ledger.issue_token("bot", actor="root")
    token_id = token.split(".")[0]
    assert ledger.revoke_tokens("bot", actor="root") == 1
    ledger.credentials.put(TOKEN, token_id, Account.id_for("bot").hex, token_hash(token))  # a crash's leftover
    with pytest.raises(NotAuthenticated, match="unknown or revoked API token"):
        ledger.authenticate_token(token)


@pytest.mark.parametrize("token", ["", "no-dot", ".secret", "id.", "x" * 300 + "." + "y"])
def test_a_malformed_token_is_refused(ledger, token):
    with pytest.raises(NotAuthenticated, match="unknown or revoked API token"):
        ledger.authenticate_token(token)


def test_disabling_takes_effect_on_the_next_authentication(ledger):
    ledger.add_account(login="alice", role="clerk", password=PW, actor="root")
    token = ledger.issue_token("alice", actor="root")
    assert ledger.authenticate_token(token).enabled
    ledger.disable_account("alice", actor="root")
    with pytest.raises(NotAuthenticated, match="account alice is disabled"):
        ledger.authenticate_token(token)
    with pytest.raises(NotAuthenticated, match="account alice is disabled"):
        ledger.authenticate_password("alice", PW)


def test_a_session_of_an_account_disabled_since_it_logged_in_is_refused_at_its_next_request(ledger):
    ledger.add_account(login="alice", role="clerk", password=PW, actor="root")
    login = ledger.authenticate_password("alice", PW).login  # what a session keeps
    assert ledger.authenticate_session(login).role == "clerk"
    ledger.disable_account("alice", actor="root")
    with pytest.raises(NotAuthenticated, match="account alice is disabled"):
        ledger.authenticate_session(login)
    with pytest.raises(NotAuthenticated, match="wrong login or password"):
        ledger.authenticate_session("nobody")


def test_every_account_change_names_who_made_it(ledger):
    ledger.add_account(login="ts", role="unit", unit="taishan", password=PW, actor="root")
    ledger.change_role("ts", "viewer", actor="chief")
    [row] = ledger.accounts()
    assert (row["role"], row["unit"], row["opened_by"], row["changed_by"]) == ("viewer", None, "root", "chief")
    history = ledger.recorder.select_notifications(start=1, limit=100)
    assert [ledger.mapper.to_domain_event(n).recorded_by for n in history][-3:] == ["root", "root", "chief"]
