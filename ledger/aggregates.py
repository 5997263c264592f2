"""The ledger's aggregates, one module per kind of record (``ledger/aggregates_*.py``), and the list of them all.

Every creation event names its aggregate by the topic ``ledger.aggregates:<class>``
(``ledger/domain/aggregates_base.py`` says why): this module is where each of those topics resolves, so it imports every
aggregate class.
"""

from __future__ import annotations

from ledger.domain.aggregates_accounts import Account
from ledger.domain.aggregates_base import LedgerAggregate, handlers, ledger_id, ledger_ids
from ledger.domain.aggregates_deadlines import CalendarDay, CalendarYear, Notice, ReportSubmission
from ledger.domain.aggregates_disputes import Dispute
from ledger.domain.aggregates_occurrences import Assessment, EventsFile, Occurrence
from ledger.domain.aggregates_rulesets import RulesetBook
from ledger.domain.aggregates_seals import Seal
from ledger.domain.aggregates_workorders import WorkOrderBatch

__all__ = [
    "AGGREGATE_TYPES", "Account", "Assessment", "CalendarDay", "CalendarYear", "Dispute", "EventsFile",
    "LedgerAggregate", "Notice", "Occurrence", "ReportSubmission", "RulesetBook", "Seal", "WorkOrderBatch",
    "handlers", "ledger_id", "ledger_ids",
]

AGGREGATE_TYPES: tuple[type[LedgerAggregate], ...] = (
    RulesetBook, Occurrence, Assessment, EventsFile, Dispute, Notice, CalendarDay, CalendarYear,
    WorkOrderBatch, ReportSubmission, Seal, Account,
)
"""Every aggregate class a creation event may name as its ``originator_topic`` (and nothing else is built)."""
