"""budget_line.explanation: why a budget line matched (or did not), stored with the match

The matcher's reasons (how the written name was taken apart, the unit recognised, the summary,
why it was not matched automatically) are kept beside the candidates, so the confirmation page,
the JSON and the report show the reasons of the run, not of today's directory.

Revision ID: 20261206_budget
Revises: 20261206_accounts
Create Date: 2026-12-06 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "20261206_budget"
down_revision = "20261206_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("budget_line") as batch:
        batch.add_column(sa.Column("explanation", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("budget_line") as batch:
        batch.drop_column("explanation")
