"""job: a long action started from a page (duplicate scan, reindex), its progress and result

Revision ID: 20261206_progress
Revises: 20261206_uxfinish
Create Date: 2026-12-06 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "20261206_progress"
down_revision = "20261206_uxfinish"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE", name=op.f("fk_job_user_id_user_account")),
                  nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("running_key", sa.String(length=60), nullable=True),
        sa.Column("process", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("heartbeat", sa.DateTime(), nullable=True),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('running','done','failed','interrupted')", name=op.f("ck_job_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("token", name=op.f("uq_job_token")),
        sa.UniqueConstraint("running_key", name=op.f("uq_job_running_key")),
    )
    op.create_index(op.f("ix_job_user_id"), "job", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_job_user_id", table_name="job")
    op.drop_table("job")
