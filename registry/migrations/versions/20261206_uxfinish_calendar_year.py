"""sharing_calendar_year: a year's official holiday schedule (放假和调休安排) entered by the Bureau

Replaces the server-side override file for years the chinese-calendar library does not know yet
(and corrects a year it does know).

Revision ID: 20261206_uxfinish
Revises: 20261206_budget
Create Date: 2026-12-06 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "20261206_uxfinish"
down_revision = "20261206_budget"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_calendar_year",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("notice", sa.String(length=300), nullable=False),
        sa.Column("entered_by", sa.String(length=150), nullable=False),
        sa.Column("modified", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sharing_calendar_year")
