"""Tables of the search layer: the item → data element mapping, the search document of each
resource, and duplicate-collection findings with their review state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer,
                        String, Text, false)
from sqlalchemy.orm import Mapped, mapped_column

from registry.core.db import Base, intpk, utcnow


class ItemElement(Base):
    """Which standard data element an item holds (maintained in the item's own transaction).

    No foreign key on purpose: when an item or resource is deleted, its old mapping must still be
    readable in that transaction, so the findings of the keys it held are recomputed; the indexing
    step then deletes the rows (by resource)."""

    __tablename__ = "item_element"
    __table_args__ = (
        # lookups by element, and the resources holding one (package_search) without reading rows
        Index("ix_item_element_element_id_resource_id", "element_id", "resource_id"),
        # the items with a name (item_search), and whether each is an element hit, from the index
        Index("ix_item_element_name_element_id", "name", "element_id"),
    )

    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(Integer, index=True)
    system_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str | None] = mapped_column(String(20))  # indexed with resource_id, see above
    key: Mapped[str | None] = mapped_column(String(120), index=True)
    qualifier: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    method: Mapped[str] = mapped_column(String(20), default="unmapped")
    # the item offers its data (无条件/有条件共享 through the platform or an interface): a provider
    shares: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    name: Mapped[str | None] = mapped_column(Text)  # the item's name as search text (search_name.name)


class SearchDocument(Base):
    """The searchable text of one resource: its title, description, unit, system and item names."""

    __tablename__ = "search_document"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("information_resource.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    elements: Mapped[str] = mapped_column(Text, default="")  # " DE0001 DE0002 ": space-delimited ids
    provides: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # resource shares
    # body's distinct 1- and 2-character grams, for the terms a trigram index cannot hold (search.engines.text_index)
    grams: Mapped[str] = mapped_column(Text, default="", server_default="")


class SearchName(Base):
    """Each distinct item name as search text, once: item_search finds the names containing a term
    through this table's text indexes, then the items by `item_element.name`. A name no item uses any
    more is harmless (it matches no item) and is dropped by the next full rewrite."""

    __tablename__ = "search_name"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(Text, unique=True)
    grams: Mapped[str] = mapped_column(Text, default="", server_default="")


class SearchVersion(Base):
    """One row: a random token replaced by every write to the search index (search.engines.result_cache)."""

    __tablename__ = "search_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


FINDING_STATES = ("open", "confirmed", "dismissed")


class DuplicateFinding(Base):
    """A system that collects data another unit also collects (重复采集, Art. 28).

    Item findings: one per (data-element key, collecting system). Resource findings: one per
    pair of resources of different units whose element sets overlap strongly. The fingerprint
    identifies a finding across rescans, so a review decision survives them.
    """

    __tablename__ = "duplicate_finding"
    __table_args__ = (
        CheckConstraint("kind IN ('item','resource')", name="kind"),
        CheckConstraint("state IN ('open','confirmed','dismissed')", name="state"),
        CheckConstraint("role IN ('recollector','undecided','provider')", name="role"),
        Index("ix_duplicate_finding_state_active", "state", "active"),
    )

    id: Mapped[intpk]
    fingerprint: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str | None] = mapped_column(String(120), index=True)
    element_id: Mapped[str | None] = mapped_column(String(20))
    element_name: Mapped[str] = mapped_column(String(200), default="")
    system_id: Mapped[int] = mapped_column(ForeignKey("information_system.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    resource_id: Mapped[int | None] = mapped_column(Integer)
    other_resource_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12), default="undecided")
    provider_system_id: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="open")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_reuse_from_system_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(String(60))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    digest: Mapped[str | None] = mapped_column(String(16))  # of what a scan computes: unchanged → no write


class SearchOutbox(Base):
    """Resources changed in a committed transaction whose external index is not yet updated.

    Written in the same transaction as the change; removed once the external index (Elasticsearch)
    has the new version. Whatever is left after a crash is replayed at start-up or by `registry reindex`.
    """

    __tablename__ = "search_outbox"

    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
