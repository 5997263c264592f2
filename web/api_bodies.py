"""The API's request bodies: what each write accepts (unknown fields, ``recorded_by`` among them, are refused)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from web.api_request import Day


class Body(BaseModel):
    """A request body: unknown fields (``recorded_by`` among them) are refused."""

    model_config = ConfigDict(extra="forbid")


class Login(Body):
    login: str = Field(max_length=200)
    password: str = Field(max_length=2048)


class AttachmentRef(Body):
    sha256: str
    name: str | None = Field(default=None, max_length=200)


Attachments = list[str | AttachmentRef]


class OccurrenceIn(Body):
    unit: str = Field(max_length=100)
    item: str = Field(max_length=50)
    date: Day
    count: int = Field(default=1, ge=-(2**31), le=2**31)
    evidence: str = Field(max_length=2000)
    note: str = Field(default="", max_length=2000)
    attachments: Attachments = Field(default_factory=list, max_length=20)


class AssessmentIn(Body):
    unit: str = Field(max_length=100)
    item: str = Field(max_length=50)
    points: Decimal = Field(allow_inf_nan=False, max_digits=12)
    date: Day
    evidence: str = Field(max_length=2000)
    note: str = Field(default="", max_length=2000)


class RetractionIn(Body):
    id: str = Field(max_length=64)
    reason: str = Field(max_length=2000)


class DisputeIn(Body):
    target: str | None = Field(default=None, max_length=64)
    workorder: str | None = Field(default=None, max_length=100)
    rate: str | None = Field(default=None, max_length=64)  # a rate code of the year's ruleset
    reason: str = Field(max_length=2000)
    evidence: str = Field(max_length=2000)
    attachments: Attachments = Field(default_factory=list, max_length=20)


class DecisionIn(Body):
    decision: Literal["accept", "reject", "amend"]
    count: int | None = Field(default=None, ge=0, le=2**31)
    reason: str = Field(max_length=2000)
