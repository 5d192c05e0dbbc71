"""The in-app inbox (new request, answer, overdue, objection …) and its optional e-mail copy.

A message is written in the action's transaction; the e-mail is sent after commit (SMTP from
Settings). A failed send is logged and recorded on the message (email_status 'failed' with the
error), and the in-app message stays: mail is a copy, never the only channel.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import require_login
from registry.core.db import utcnow
from registry.accounts.models import User
from registry.core.ordering import ordered
from registry.sharing.models import Notification, NotificationAddress
from registry.sharing.schemas import EmailSchema, InboxListSchema, InboxReadSchema

log = logging.getLogger("registry.sharing.mail")
KIND_LABELS = {"new_request": "新的共享申请", "review": "待审核的共享申请", "answer": "共享申请已答复",
               "overdue": "共享申请超期", "arbitration": "大数据局协调结论", "withdrawn": "共享申请已撤回",
               "objection": "数据校核", "objection_answer": "数据校核已答复", "feedback": "使用情况反馈",
               "revoked": "共享已终止"}


def unit_users(session: Session, unit_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.unit_id == unit_id, User.role == "department",
                                                   User.active.is_(True)).order_by(User.id)))


def bureau_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "bureau", User.active.is_(True)).order_by(User.id)))


def notify(ctx: Context, users: list[User], kind: str, title: str, body: str, link: str = "",
           request_id: int | None = None) -> list[Notification]:
    """Write one message per user; queue e-mail copies for those with an address."""
    users = [u for u in {u.id: u for u in users}.values()]
    if not users:
        return []
    addresses = dict(ctx.session.execute(select(NotificationAddress.user_id, NotificationAddress.email)
                                         .where(NotificationAddress.user_id.in_([u.id for u in users]))).all())
    mail_on = bool(ctx.settings is not None and ctx.settings.smtp_host and ctx.settings.smtp_from)
    rows = []
    for user in users:
        row = Notification(user_id=user.id, kind=kind, title=title, body=body, link=link, request_id=request_id,
                           email_status="pending" if mail_on and user.id in addresses else "none")
        ctx.session.add(row)
        rows.append(row)
    ctx.session.flush()
    queued = [(r.id, addresses[r.user_id]) for r in rows if r.email_status == "pending"]
    if queued:
        engine, settings = ctx.session.get_bind(), ctx.settings
        ctx.after_commit.append(lambda: send_queued(engine, settings, queued, title, body, link))
    return rows


def send_queued(engine, settings, queued: list[tuple[int, str]], title: str, body: str, link: str) -> None:
    """After commit: send each copy; record sent/failed on its message."""
    outcomes: dict[int, tuple[str, str]] = {}
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            for notification_id, address in queued:
                msg = EmailMessage()
                msg["Subject"], msg["From"], msg["To"] = f"[{settings.site_title}] {title}", settings.smtp_from, address
                msg.set_content(f"{body}\n\n{settings.site_url.rstrip('/')}{link}\n")
                try:
                    smtp.send_message(msg)
                    outcomes[notification_id] = ("sent", "")
                except smtplib.SMTPException as exc:
                    outcomes[notification_id] = ("failed", f"{type(exc).__name__}: {exc}")
    except (OSError, smtplib.SMTPException) as exc:
        for notification_id, _ in queued:
            outcomes.setdefault(notification_id, ("failed", f"{type(exc).__name__}: {exc}"))
    for notification_id, (status, error) in outcomes.items():
        if status == "failed":
            log.error("notification %s: e-mail not sent: %s", notification_id, error)
    with Session(engine) as session, session.begin():
        for notification_id, (status, error) in outcomes.items():
            session.execute(update(Notification).where(Notification.id == notification_id)
                            .values(email_status=status, email_error=error[:2000]))


def notification_dict(n: Notification) -> dict:
    return {"id": n.id, "kind": n.kind, "kind_label": KIND_LABELS.get(n.kind, n.kind), "title": n.title,
            "body": n.body, "link": n.link, "request_id": n.request_id, "read": n.read_at is not None,
            "created": n.created.isoformat(), "email_status": n.email_status, "email_error": n.email_error}


def _login(ctx: Context, data: dict) -> None:
    require_login(ctx)


@action("inbox_list", auth=_login, schema=InboxListSchema, read_only=True)
def inbox_list(ctx: Context, data: dict) -> dict:
    """The acting user's messages, newest first (or by `sort`: created, kind, title, read), with the
    unread count."""
    if ctx.user.id is None:
        return {"count": 0, "unread": 0, "results": []}
    base = select(Notification).where(Notification.user_id == ctx.user.id)
    if data["unread"]:
        base = base.where(Notification.read_at.is_(None))
    count = ctx.session.scalar(select(func.count()).select_from(base.subquery()))
    unread = ctx.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == ctx.user.id, Notification.read_at.is_(None)))
    N = Notification
    stmt = ordered(base, data["sort"], {"created": N.id, "kind": N.kind, "title": N.title,
                                        "read": N.read_at.is_not(None)}, ("created", True), N.id)
    rows = ctx.session.scalars(stmt.offset(data["start"]).limit(data["rows"]))
    return {"count": count, "unread": unread, "results": [notification_dict(n) for n in rows]}


@action("inbox_mark_read", auth=_login, schema=InboxReadSchema)
def inbox_mark_read(ctx: Context, data: dict) -> dict:
    """Mark the given messages (or all) of the acting user as read."""
    from registry.core.errors import ValidationFailed
    if not data["all"] and not data.get("ids"):
        raise ValidationFailed({"ids": ["请指定要标记为已读的消息，或选择全部已读"]})
    stmt = select(Notification).where(Notification.user_id == ctx.user.id, Notification.read_at.is_(None))
    if not data["all"]:
        stmt = stmt.where(Notification.id.in_(data["ids"]))
    rows = list(ctx.session.scalars(stmt))
    now = utcnow()
    for row in rows:
        row.read_at = now
    ctx.session.flush()
    audit.record(ctx, "inbox_mark_read", "notification", None, {"unread": [r.id for r in rows]},
                 {"unread": []}, f"{len(rows)} 条消息标记为已读")
    return {"marked": len(rows)}


@action("inbox_email_set", auth=_login, schema=EmailSchema)
def inbox_email_set(ctx: Context, data: dict) -> dict:
    """Set (or clear, with an empty value) the acting user's address for e-mail copies."""
    from registry.core.errors import ValidationFailed
    if ctx.user.id is None:
        raise ValidationFailed({"email": ["命令行操作员没有收件箱"]})
    row = ctx.session.get(NotificationAddress, ctx.user.id)
    before = {"email": row.email if row else None}
    if data["email"] is None:
        if row is not None:
            ctx.session.delete(row)
    elif row is None:
        ctx.session.add(NotificationAddress(user_id=ctx.user.id, email=data["email"]))
    else:
        row.email = data["email"]
    ctx.session.flush()
    audit.record(ctx, "inbox_email_set", "user", ctx.user.id, before, {"email": data["email"]}, ctx.username)
    return {"email": data["email"]}
