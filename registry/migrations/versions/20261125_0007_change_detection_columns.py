"""change detection for the incremental duplicate refresh

item_element.shares, search_document.provides, duplicate_finding.digest: what a write compares to
tell which data-element keys and resources it really changed, and whether a recomputed finding
differs from the stored one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 20:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, not batch mode: a batch rebuild of search_document on SQLite would drop the
    # triggers that keep its FTS5 index current (migration 0002)
    op.add_column("item_element", sa.Column("shares", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("search_document", sa.Column("provides", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("duplicate_finding", sa.Column("digest", sa.String(length=16), nullable=True))


def downgrade() -> None:
    for table, column in (("duplicate_finding", "digest"), ("search_document", "provides"), ("item_element", "shares")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")  # SQLite ≥ 3.35 and PostgreSQL
