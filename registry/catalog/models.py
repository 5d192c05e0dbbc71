"""The catalog: unit → information system → information resource → information item.

Vocabulary columns hold codes from `catalog_schema.vocabularies`; the open lists (format type,
data type, update cycle) may hold a non-standard value as written.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import Base, created_at, intpk, str100, str200, utcnow



class Unit(Base):
    """A registering unit (部门/事业单位/国有企业/学校/医院)."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("kind IN ('department','institution','soe','school','hospital')", name="kind"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str200] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    parent: Mapped["Unit | None"] = relationship(remote_side="Unit.id")
    systems: Mapped[list["InformationSystem"]] = relationship(back_populates="unit")

    __mapper_args__ = {"version_id_col": version}


class InformationSystem(Base):
    """A government information system (政务信息系统) and its place in the master directory."""

    __tablename__ = "information_system"
    __table_args__ = (
        UniqueConstraint("unit_id", "name"),
        CheckConstraint("status IN ('building','running','stopped','merged')", name="status"),
        CheckConstraint("network IN ('egov','internet','isolated','classified')", name="network"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(100), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str200]
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="running")
    network: Mapped[str] = mapped_column(String(20), default="egov")
    in_directory: Mapped[bool] = mapped_column(Boolean, default=False)
    directory_date: Mapped[date | None] = mapped_column(Date)
    directory_decided_by: Mapped[str | None] = mapped_column(String(100))
    created: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    unit: Mapped[Unit] = relationship(back_populates="systems")
    resources: Mapped[list["InformationResource"]] = relationship(
        back_populates="system", order_by="InformationResource.id")

    __mapper_args__ = {"version_id_col": version}


class InformationResource(Base):
    """One information resource of a system's catalog (a row group of Attachment 2)."""

    __tablename__ = "information_resource"
    __table_args__ = (
        UniqueConstraint("system_id", "title"),
        CheckConstraint("sharing_type IN ('unconditional','conditional','none')", name="sharing_type"),
        CheckConstraint("sharing_method IS NULL OR sharing_method IN ('platform','api','database','document')",
                        name="sharing_method"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True)  # CKAN slug
    system_id: Mapped[int] = mapped_column(ForeignKey("information_system.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str200]  # 信息资源名称
    resource_code: Mapped[str | None] = mapped_column(String(100))
    format_class: Mapped[str | None] = mapped_column(String(30))
    format_type: Mapped[str | None] = mapped_column(String(60))
    sharing_type: Mapped[str] = mapped_column(String(20))
    sharing_method: Mapped[str | None] = mapped_column(String(20))
    open_to_public: Mapped[bool] = mapped_column(Boolean, default=False)
    open_conditions: Mapped[str] = mapped_column(Text, default="")
    update_cycle: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[created_at]
    modified: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    system: Mapped[InformationSystem] = relationship(back_populates="resources")
    unit: Mapped[Unit] = relationship()
    items: Mapped[list["InformationItem"]] = relationship(
        back_populates="resource", order_by="InformationItem.position",
        cascade="all, delete-orphan", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}


class InformationItem(Base):
    """One information item (信息项) of a resource."""

    __tablename__ = "information_item"
    __table_args__ = (
        UniqueConstraint("resource_id", "name"),
        CheckConstraint("data_length IS NULL OR data_length > 0", name="data_length_positive"),
        CheckConstraint("sharing_type IS NULL OR sharing_type IN ('unconditional','conditional','none')",
                        name="sharing_type"),
    )

    id: Mapped[intpk]
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("information_resource.id", ondelete="CASCADE"), index=True)
    name: Mapped[str200]
    data_type: Mapped[str | None] = mapped_column(String(30))
    data_length: Mapped[int | None] = mapped_column(Integer)
    sharing_type: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    resource: Mapped[InformationResource] = relationship(back_populates="items")

    __mapper_args__ = {"version_id_col": version}
