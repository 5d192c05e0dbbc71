"""Accounts: users with one role, hashed API tokens, and login throttling per account name and address."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.db import Base, created_at, intpk
from registry.catalog.models import Unit

ROLES = ("department", "bureau", "finance", "reviewer", "admin")


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('department','bureau','finance','reviewer','admin')", name="role"),
        CheckConstraint("role <> 'department' OR unit_id IS NOT NULL", name="department_has_unit"),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by logout, a password change or reset and deactivation: every session cookie carries the
    # generation it was issued under and stops working when it no longer matches (registry.accounts.views).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when someone else chose the password (an administrator's reset, an account made on the admin
    # page): the next login must choose a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_changed: Mapped[datetime | None] = mapped_column(DateTime)
    created: Mapped[created_at]

    unit: Mapped[Unit | None] = relationship()


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[created_at]
    last_used: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; None: until revoked

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed logins of one account name from one client address (registry.actions.login).

    Keyed by a hash of (name as typed, address), so an unknown name is throttled exactly like a real
    one and nothing here tells which names exist."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure: Mapped[datetime] = mapped_column(DateTime)
