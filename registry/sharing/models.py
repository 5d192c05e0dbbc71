"""Tables of sharing: requests and their items, sharing records, feedback, objections, the
provider's contact details, and the in-app inbox.

Names of resources, items and systems are copied into the rows that cite them, so the history
stays readable after the catalog changes (the references become NULL when a record is deleted).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer,
                        String, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import Base, created_at, intpk, utcnow

REQUEST_STATES = ("pending", "approved", "partial", "refused", "withdrawn")
SHARING_CLASSES = ("unconditional", "conditional", "none")


def _in(column: str, values) -> str:
    return f"{column} IN ({','.join(repr(v) for v in values)})"


class SharingContact(Base):
    """The provider's contact and interface details of a resource: shown to a consumer only once
    a request for it has been approved."""

    __tablename__ = "sharing_contact"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("information_resource.id", ondelete="CASCADE"), primary_key=True)
    contact_person: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    interface_address: Mapped[str] = mapped_column(String(500), default="")
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SharingRequest(Base):
    """A unit's request for items of another unit's resource (共享申请) and its answer."""

    __tablename__ = "sharing_request"
    __table_args__ = (
        CheckConstraint(_in("status", REQUEST_STATES), name="status"),
        CheckConstraint(_in("sharing_class", SHARING_CLASSES), name="sharing_class"),
        CheckConstraint("answerer IN ('provider','bureau')", name="answerer"),
        CheckConstraint("origin IN ('resource','item_search','finding','provider_hint')", name="origin"),
        CheckConstraint("sharing_method IN ('platform','api','database','document')", name="sharing_method"),
        CheckConstraint("period_end IS NULL OR period_end >= period_start", name="period_order"),
        CheckConstraint("requester_unit_id <> provider_unit_id", name="other_unit"),
        CheckConstraint("status <> 'refused' OR (refusal_reason <> '' AND refusal_basis <> '')",
                        name="refusal_has_basis"),
        Index("ix_sharing_request_status_due", "status", "due_on"),
    )

    id: Mapped[intpk]
    requester_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    requester_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_system.id", ondelete="SET NULL"), index=True)
    requester_system_name: Mapped[str] = mapped_column(String(200))
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    provider_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_system.id", ondelete="SET NULL"), index=True)
    provider_system_name: Mapped[str] = mapped_column(String(200))
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_resource.id", ondelete="SET NULL"), index=True)
    resource_title: Mapped[str] = mapped_column(String(200))
    sharing_class: Mapped[str] = mapped_column(String(20))      # the most restrictive requested item
    answerer: Mapped[str] = mapped_column(String(10))           # who owes the answer
    purpose: Mapped[str] = mapped_column(Text)                  # 用途
    scenario: Mapped[str] = mapped_column(Text)                 # 应用场景
    basis: Mapped[str] = mapped_column(Text, default="")        # 依据
    sharing_method: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(20), default="resource")
    finding_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    submitted_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(60))
    answered_on: Mapped[date | None] = mapped_column(Date)      # the answerer's own answer
    answered_by: Mapped[str | None] = mapped_column(String(60))
    answer_note: Mapped[str] = mapped_column(Text, default="")
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    refusal_basis: Mapped[str] = mapped_column(Text, default="")
    refusal_basis_valid: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the Bureau overruled it
    arbitration_decision: Mapped[str | None] = mapped_column(String(12))
    arbitration_opinion: Mapped[str] = mapped_column(Text, default="")
    arbitrated_by: Mapped[str | None] = mapped_column(String(60))
    arbitrated_on: Mapped[date | None] = mapped_column(Date)
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    items: Mapped[list["SharingRequestItem"]] = relationship(
        back_populates="request", order_by="SharingRequestItem.id", cascade="all, delete-orphan",
        passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}


class SharingRequestItem(Base):
    __tablename__ = "sharing_request_item"
    __table_args__ = (CheckConstraint(_in("sharing_type", SHARING_CLASSES), name="sharing_type"),)

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("sharing_request.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("information_item.id", ondelete="SET NULL"))
    item_name: Mapped[str] = mapped_column(String(200))
    sharing_type: Mapped[str] = mapped_column(String(20))
    approved: Mapped[bool | None] = mapped_column(Boolean)

    request: Mapped[SharingRequest] = relationship(back_populates="items")


class SharingRecord(Base):
    """An approved request: who shares which items with whom, how, from when to when."""

    __tablename__ = "sharing_record"
    __table_args__ = (
        CheckConstraint("status IN ('active','revoked')", name="status"),
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="period_order"),
    )

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(ForeignKey("sharing_request.id", ondelete="RESTRICT"), unique=True)
    provider_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    provider_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_system.id", ondelete="SET NULL"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("information_resource.id", ondelete="SET NULL"))
    resource_title: Mapped[str] = mapped_column(String(200))
    items: Mapped[list] = mapped_column(JSON, default=list)     # [{"item_id", "name"}]
    consumer_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    consumer_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("information_system.id", ondelete="SET NULL"))
    sharing_method: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")  # expired is derived from end_on
    contact_person: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    interface_address: Mapped[str] = mapped_column(String(500), default="")
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[created_at]


class SharingFeedback(Base):
    """使用情况反馈: how the consumer used the shared data in a period."""

    __tablename__ = "sharing_feedback"

    id: Mapped[intpk]
    record_id: Mapped[int] = mapped_column(ForeignKey("sharing_record.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    usage: Mapped[str] = mapped_column(Text)
    calls: Mapped[int | None] = mapped_column(Integer)
    effect: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[str] = mapped_column(String(60))
    submitted_on: Mapped[date] = mapped_column(Date)
    created: Mapped[created_at]


class SharingObjection(Base):
    """数据校核: the consumer reports an item's value as wrong, stale or missing; the provider answers."""

    __tablename__ = "sharing_objection"
    __table_args__ = (
        CheckConstraint("kind IN ('wrong','stale','missing')", name="kind"),
        CheckConstraint("result IS NULL OR result IN ('corrected','explained','rejected')", name="result"),
    )

    id: Mapped[intpk]
    record_id: Mapped[int] = mapped_column(ForeignKey("sharing_record.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("information_item.id", ondelete="SET NULL"))
    item_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(60))
    raised_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(10))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(60))
    answered_on: Mapped[date | None] = mapped_column(Date)
    created: Mapped[created_at]


class Notification(Base):
    """One message in a user's in-app inbox; the e-mail copy's fate is recorded beside it."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint("email_status IN ('none','pending','sent','failed')", name="email_status"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_request.id", ondelete="CASCADE"))
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_status: Mapped[str] = mapped_column(String(10), default="none")
    email_error: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[created_at]


class NotificationAddress(Base):
    """A user's e-mail address for copies of inbox messages (optional)."""

    __tablename__ = "notification_address"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200))


class CalendarYear(Base):
    """A year's official schedule (国务院办公厅关于某年部分节假日安排的通知：放假和调休安排), entered or
    corrected by the Bureau. For its year it replaces the chinese-calendar library: a day is off when
    listed in `holidays`, a working day when listed in `workdays` (调休), else Monday–Friday work."""

    __tablename__ = "sharing_calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list] = mapped_column(JSON, default=list)   # ISO dates, sorted
    workdays: Mapped[list] = mapped_column(JSON, default=list)   # ISO dates, sorted (调休上班的周末)
    notice: Mapped[str] = mapped_column(String(300), default="")  # 通知名称或文号
    entered_by: Mapped[str] = mapped_column(String(150), default="")
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
