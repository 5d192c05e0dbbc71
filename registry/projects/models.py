"""Project records: Attachment 1, the project list, the stage history, adjustments, reports,
acceptances, extension requests, cross-department parts and the contractor blacklist.

Amounts are integer yuan (BigInteger: a county project can exceed 2^31 yuan); shown in 万元.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import Base, created_at, intpk, str200, utcnow
from registry.catalog.models import InformationSystem, Unit

_STAGES = "'declared','tech_review','decision','investment_review','construction','acceptance','operation','evaluation'"


class Project(Base):
    """One informatization project (政务信息化项目), with everything on Attachment 1."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("kind IN ('new','continued','expansion')", name="kind"),
        CheckConstraint(f"stage IN ({_STAGES})", name="stage"),
        CheckConstraint("status IN ('normal','problem','rectifying','suspended')", name="status"),
        CheckConstraint("estimate_yuan >= 0", name="estimate_not_negative"),
        CheckConstraint("approved_total_yuan IS NULL OR approved_total_yuan > 0", name="approved_total_positive"),
    )

    id: Mapped[intpk]
    # Attachment 1 (项目建设申报表)
    name: Mapped[str200]                                        # 项目名称
    kind: Mapped[str] = mapped_column(String(20))               # 项目类型 新建/续建/改扩建
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)  # 项目业主
    competent_department: Mapped[str] = mapped_column(String(200), default="")  # 行政主管部门
    leader: Mapped[str] = mapped_column(String(60), default="")                 # 分管领导
    leader_phone: Mapped[str] = mapped_column(String(40), default="")
    contact: Mapped[str] = mapped_column(String(60), default="")                # 项目联系人
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    background: Mapped[str] = mapped_column(Text, default="")                   # 建设背景和依据
    estimate_yuan: Mapped[int] = mapped_column(BigInteger, default=0)           # 经费估算
    preparation: Mapped[str] = mapped_column(Text, default="")                  # 前期准备情况
    schedule: Mapped[str] = mapped_column(Text, default="")                     # 进度计划和年度资金估算
    materials: Mapped[list] = mapped_column(JSON, default=list)                 # 附件材料
    remarks: Mapped[str] = mapped_column(Text, default="")                      # 备注
    filler: Mapped[str] = mapped_column(String(60), default="")                 # 填表人
    filler_phone: Mapped[str] = mapped_column(String(40), default="")
    declaring_unit: Mapped[str] = mapped_column(String(200), default="")        # 申报单位（盖章）
    declared_on: Mapped[date | None] = mapped_column(Date)                      # 申报日期
    # Beyond the form
    funding_source: Mapped[str] = mapped_column(String(200), default="")
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    predecessor_post_evaluation: Mapped[str] = mapped_column(Text, default="")  # 前期项目第三方后评价报告 (Art. 14)
    feasibility_chapters: Mapped[list] = mapped_column(JSON, default=list)      # Art. 14 chapters present
    crypto_plan: Mapped[str] = mapped_column(Text, default="")                  # 密码应用方案 (Art. 14)
    contractor: Mapped[str] = mapped_column(String(200), default="")            # 承建单位
    contractor_credit_code: Mapped[str] = mapped_column(String(40), default="")
    supervisor: Mapped[str] = mapped_column(String(200), default="")            # 监理单位 (Art. 20)
    # Decisions along the stages
    stage: Mapped[str] = mapped_column(String(20), default="declared")
    status: Mapped[str] = mapped_column(String(20), default="normal")
    rectify_by: Mapped[date | None] = mapped_column(Date)                       # Art. 22 deadline
    expert_opinion: Mapped[str] = mapped_column(Text, default="")               # 技术审查意见 (Art. 10)
    approved_total_yuan: Mapped[int | None] = mapped_column(BigInteger)        # 概算批复总投资
    approval_reference: Mapped[str] = mapped_column(String(200), default="")   # 发展改革委批复文号
    approved_on: Mapped[date | None] = mapped_column(Date)
    investment_reviewed_yuan: Mapped[int | None] = mapped_column(BigInteger)   # 财政投资评审金额
    construction_started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)                    # 建成日期 (Art. 25 clock)
    accepted_on: Mapped[date | None] = mapped_column(Date)                     # 竣工验收通过日期 (Art. 27 clock)
    created: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    unit: Mapped[Unit] = relationship()
    predecessor: Mapped["Project | None"] = relationship(remote_side="Project.id")
    systems: Mapped[list["ProjectSystem"]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                          order_by="ProjectSystem.id")
    parts: Mapped[list["ProjectPart"]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                      order_by="ProjectPart.id")
    list_entries: Mapped[list["ProjectListEntry"]] = relationship(back_populates="project",
                                                                  cascade="all, delete-orphan")
    events: Mapped[list["ProjectEvent"]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                        order_by="ProjectEvent.id")
    adjustments: Mapped[list["ProjectAdjustment"]] = relationship(cascade="all, delete-orphan",
                                                                  order_by="ProjectAdjustment.id")
    reports: Mapped[list["ProjectReport"]] = relationship(cascade="all, delete-orphan", order_by="ProjectReport.id")
    acceptances: Mapped[list["ProjectAcceptance"]] = relationship(cascade="all, delete-orphan",
                                                                  order_by="ProjectAcceptance.id")
    extensions: Mapped[list["ProjectExtension"]] = relationship(cascade="all, delete-orphan",
                                                                order_by="ProjectExtension.id")

    __mapper_args__ = {"version_id_col": version}


class ProjectSystem(Base):
    """A system the project builds or changes (links the project to the directory)."""

    __tablename__ = "project_system"
    __table_args__ = (UniqueConstraint("project_id", "system_id"),
                      CheckConstraint("relation IN ('build','change')", name="relation"))

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("information_system.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(10), default="build")

    project: Mapped[Project] = relationship(back_populates="systems")
    system: Mapped[InformationSystem] = relationship()


class ProjectPart(Base):
    """One participating unit's part of a cross-department project (Art. 13)."""

    __tablename__ = "project_part"
    __table_args__ = (UniqueConstraint("project_id", "unit_id"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    content: Mapped[str] = mapped_column(Text, default="")
    resource_ids: Mapped[list] = mapped_column(JSON, default=list)  # its initial data catalog

    project: Mapped[Project] = relationship(back_populates="parts")
    unit: Mapped[Unit] = relationship()


class ProjectListEntry(Base):
    """The project's place on the project list (项目清单) of one budget year (Art. 7, 9)."""

    __tablename__ = "project_list_entry"
    __table_args__ = (UniqueConstraint("project_id", "year"),
                      CheckConstraint("origin IN ('declared','filed','mandated','continuing','om')", name="origin"))

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)          # the budget year
    origin: Mapped[str] = mapped_column(String(12))
    amount_yuan: Mapped[int] = mapped_column(BigInteger)            # the year's amount as listed
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by: Mapped[str] = mapped_column(String(100))
    via_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))  # school → parent
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="list_entries")


class ProjectEvent(Base):
    """One stage transition (who, when, from, to, and the recorded opinion or decision)."""

    __tablename__ = "project_event"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    transition: Mapped[str] = mapped_column(String(40))
    from_stage: Mapped[str] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    opinion: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="events")


class ProjectAdjustment(Base):
    """An adjustment of the construction content (Art. 24) and its outcome."""

    __tablename__ = "project_adjustment"
    __table_args__ = (CheckConstraint("outcome IN ('filed','full_procedure')", name="outcome"),
                      CheckConstraint("amount_yuan > 0", name="amount_positive"))

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    amount_yuan: Mapped[int] = mapped_column(BigInteger)            # funds moved
    new_total_yuan: Mapped[int] = mapped_column(BigInteger)         # the total after adjustment
    reason: Mapped[str] = mapped_column(String(20))
    targets_unchanged: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list] = mapped_column(JSON, default=list)       # why (Chinese, cited)
    filed_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))


class ProjectReport(Base):
    """A report: annual performance (Art. 21), serious problem (Art. 22), self-evaluation and
    third-party post-evaluation (Art. 27)."""

    __tablename__ = "project_report"
    __table_args__ = (
        CheckConstraint("kind IN ('performance','problem','self_evaluation','post_evaluation')", name="kind"),
        UniqueConstraint("project_id", "kind", "year"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)               # performance: the year reported on
    report_date: Mapped[date] = mapped_column(Date)
    problem_kind: Mapped[str | None] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str] = mapped_column(String(100))


class ProjectAcceptance(Base):
    """An archive acceptance (Art. 26) or completion acceptance (Art. 25)."""

    __tablename__ = "project_acceptance"
    __table_args__ = (CheckConstraint("kind IN ('archive','completion')", name="kind"),
                      CheckConstraint("result IN ('passed','failed')", name="result"),
                      CheckConstraint("organiser IN ('bureau','self','archives')", name="organiser"))

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    result: Mapped[str] = mapped_column(String(10))
    organiser: Mapped[str] = mapped_column(String(10))
    accepted_on: Mapped[date] = mapped_column(Date)
    materials: Mapped[list] = mapped_column(JSON, default=list)
    reference: Mapped[str] = mapped_column(String(200), default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str] = mapped_column(String(100))


class ProjectExtension(Base):
    """A request to accept later than six months after completion (Art. 25)."""

    __tablename__ = "project_extension"
    __table_args__ = (CheckConstraint("state IN ('pending','approved','refused')", name="state"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    requested_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str] = mapped_column(Text, default="")


class BlacklistEntry(Base):
    """A contractor barred from county big-data business for five years (Art. 35)."""

    __tablename__ = "contractor_blacklist"
    __table_args__ = (CheckConstraint("expires_on > listed_on", name="expiry_after_listing"),)

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(index=True)
    credit_code: Mapped[str] = mapped_column(String(40), default="", index=True)  # 统一社会信用代码
    listed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)          # first day it may work again
    reason: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))
