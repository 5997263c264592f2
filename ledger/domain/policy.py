"""Who may do what: each role and the actions it may take, as data (CLI.md's table of roles).

The web service's single authorization layer asks ``may(account, action)`` (with ``unit=`` for
anything that belongs to a unit) before every page and API call; nothing else decides it. A role
holds an action either everywhere or for its own unit only (``own_unit``): a unit's liaison may
read its own trace and dispute its own records, and nothing of another unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# ── the actions ──────────────────────────────────────────────────────────────
READ_RANKING = "read_ranking"    #: the city ranking: every unit's totals and sections
READ_SCORES = "read_scores"      #: every unit's score and trace
READ_ALL = "read_all"            #: everything: the log, disputes, work orders, every unit's trace
READ_OWN_UNIT = "read_own_unit"  #: one unit's trace, log and disputes
EVIDENCE = "evidence"            #: download evidence files
RECORD = "record"                #: record, assess, retract, notices, explanations, report submissions
IMPORT = "import"                #: import events and work orders
DISPUTE = "dispute"              #: open disputes and screenings (with uploaded evidence)
DECIDE = "decide"                #: decide disputes
REPORTS = "reports"              #: download the xlsx, html and csv reports
SEAL = "seal"                    #: seal the chain head
VERIFY = "verify"                #: verify the chain, seals, evidence and read model
EXPORT = "export"                #: export the whole ledger
ACCOUNTS = "accounts"            #: open and manage accounts
RULESETS = "rulesets"            #: adopt rulesets
CALENDAR = "calendar"            #: enter calendar rulings

ACTIONS: frozenset[str] = frozenset({
    READ_RANKING, READ_SCORES, READ_ALL, READ_OWN_UNIT, EVIDENCE, RECORD, IMPORT, DISPUTE, DECIDE, REPORTS, SEAL,
    VERIFY, EXPORT, ACCOUNTS, RULESETS, CALENDAR,
})
"""Every action a role may be granted."""


@dataclass(frozen=True)
class Role:
    """A role: its Chinese label, what it may do anywhere, and what only for its own unit."""

    name: str
    label: str
    anywhere: frozenset[str]
    own_unit: frozenset[str] = frozenset()


_CLERK = frozenset({READ_RANKING, READ_SCORES, READ_ALL, EVIDENCE, RECORD, IMPORT, DISPUTE, DECIDE, REPORTS, SEAL,
                    VERIFY, EXPORT})

ROLES: dict[str, Role] = {r.name: r for r in (
    Role("admin", "中心管理员", _CLERK | {ACCOUNTS, RULESETS, CALENDAR}),
    Role("clerk", "中心工作人员", _CLERK),
    Role("unit", "单位联络员", frozenset({READ_RANKING}), own_unit=frozenset({READ_OWN_UNIT, EVIDENCE, DISPUTE})),
    Role("auditor", "审计", frozenset({READ_RANKING, READ_SCORES, READ_ALL, EVIDENCE, REPORTS, VERIFY, EXPORT})),
    Role("viewer", "领导", frozenset({READ_RANKING, READ_SCORES, REPORTS})),
)}
"""Each role by name (CLI.md: admin, clerk, unit, auditor, viewer)."""

#: The role names, in the order CLI.md lists them.
ROLE_NAMES: tuple[str, ...] = tuple(ROLES)


class Principal(Protocol):
    """What the policy needs of an account (``ledger.usecases.accounts.AccountInfo`` is one)."""

    @property
    def role(self) -> str: ...

    @property
    def unit(self) -> str | None: ...

    @property
    def enabled(self) -> bool: ...


def may(account: Principal, action: str, unit: str | None = None) -> bool:
    """Whether ``account`` may take ``action`` (on something of ``unit``, when it belongs to one).

    A disabled account may do nothing. An action a role holds for its own unit only is allowed
    when ``unit`` is that unit; asked without a unit (a listing of everything), it is refused, and
    the caller narrows the listing to ``account.unit`` and asks again.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    role = ROLES.get(account.role)
    if role is None or not account.enabled:
        return False
    if action in role.anywhere:
        return True
    return action in role.own_unit and unit is not None and unit == account.unit
