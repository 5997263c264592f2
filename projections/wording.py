"""What people call the ledger's event types, record states and history steps, in their language.

The documents (JSON) keep the machine values of CLI.md (``OccurrenceRecorded``, ``disputed``,
``dispute_opened``); tables for people show these words instead (ledger/translation.py chooses the
language). A value not listed here is shown as it is.
"""

from __future__ import annotations

from ledger.rulesets.kinds import KINDS as RULE_KINDS
from ledger.translation import N_, gettext

EVENT_TYPES = {
    "LedgerCreated": N_("ledger created"),
    "RulesetAdopted": N_("ruleset adopted"),
    "RulesetAmended": N_("ruleset amended"),
    "OccurrenceRecorded": N_("occurrence recorded"),
    "OccurrenceRetracted": N_("occurrence retracted"),
    "AssessmentRecorded": N_("assessment recorded"),
    "EventsFileImported": N_("events file imported"),
    "DisputeOpened": N_("dispute opened"),
    "DisputeDecided": N_("dispute decided"),
    "WorkOrderFactsRecorded": N_("work-order facts recorded"),
    "ReportSubmitted": N_("report submitted"),
    "NoticeReceived": N_("notice received"),
    "ExplanationSubmitted": N_("explanation submitted"),
    "CalendarRuled": N_("calendar ruling recorded"),
    "CalendarRulingChanged": N_("calendar ruling changed"),
    "CalendarYearCompleted": N_("calendar year declared complete"),
    "LedgerSealed": N_("ledger sealed"),
    "AccountOpened": N_("account opened"),
    "AccountRoleChanged": N_("account role changed"),
    "AccountDisabled": N_("account disabled"),
    "AccountEnabled": N_("account enabled"),
    "AccountPasswordSet": N_("account password set"),
    "AccountTokenIssued": N_("API token issued"),
    "AccountTokensRevoked": N_("API tokens revoked"),
}

STATES = {
    "effective": N_("effective"), "retracted": N_("retracted"), "disputed": N_("disputed"),
    "accepted": N_("dispute accepted"), "rejected": N_("dispute rejected"), "amended": N_("amended"),
    "superseded": N_("superseded"), "open": N_("open"), "decided": N_("decided"),
}

HISTORY_STEPS = {
    "retracted": N_("retracted"), "dispute_opened": N_("dispute opened"), "dispute_decided": N_("dispute decided"),
    "accept": N_("accepted"), "reject": N_("rejected"), "amend": N_("amended"),
}

KINDS = {"section": N_("section"), "pool": N_("pool"), **{k.name: k.label for k in RULE_KINDS.values()}}

VERDICTS = {"on_time": N_("on time"), "late": N_("late"), "missing": N_("not submitted"),
            "not_yet_due": N_("not yet due"), "pending": N_("pending")}


def _said(words: dict[str, str], value: str | None) -> str:
    if value is None:
        return ""
    return gettext(words[value]) if value in words else value


def event_type(value: str) -> str:
    """An event type (``OccurrenceRecorded``) in words."""
    return _said(EVENT_TYPES, value)


def state(value: str) -> str:
    """A record's or a dispute's state (``disputed``) in words."""
    return _said(STATES, value)


def history_step(value: str | None) -> str:
    """A history step or a decision (``dispute_opened``, ``accept``) in words."""
    return _said(HISTORY_STEPS, value)


def kind(value: str) -> str:
    """An item's kind (``per_occurrence``) in words."""
    return _said(KINDS, value)


def verdict(value: str) -> str:
    """A deadline verdict (``late``) in words."""
    return _said(VERDICTS, value)
