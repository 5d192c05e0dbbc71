"""accounts lifecycle: session generation, forced password change, token expiry, login throttling

user_account.session_generation ends every session of a user on logout, password change, reset or
deactivation; must_change_password forces a new password at the next login; api_token.expires;
login_throttle replaces the per-account lockout (failed_logins, locked_until) with back-off per
account name and client address.

Revision ID: 20261206_accounts
Revises: 0008
Create Date: 2026-12-06 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "20261206_accounts"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))
    op.add_column("user_account", sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(),
                                            nullable=False))
    op.add_column("user_account", sa.Column("password_changed", sa.DateTime(), nullable=True))
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not batch mode
    op.drop_column("user_account", "failed_logins")
    op.drop_column("user_account", "locked_until")
    op.add_column("api_token", sa.Column("expires", sa.DateTime(), nullable=True))
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.Column("last_failure", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_column("api_token", "expires")
    op.add_column("user_account", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.add_column("user_account", sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.drop_column("user_account", "password_changed")
    op.drop_column("user_account", "must_change_password")
    op.drop_column("user_account", "session_generation")
