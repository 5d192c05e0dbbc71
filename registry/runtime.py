"""The application's services (settings, database, search) and the one way to run an action.

`run_action` is the boundary every entry point uses: it opens a unit of work, loads the acting
user in it, calls the action, indexes what changed, commits once, then runs after-commit hooks.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from registry.actions.base import Context, call_action, get_action
from registry.config import Settings
from registry.db import Database
from registry.errors import Conflict
from registry.inputs import check_input
from registry.models import User

log = logging.getLogger("registry")


@dataclass
class Registry:
    settings: Settings
    db: Database
    search: Any

    @classmethod
    def from_settings(cls, settings: Settings) -> "Registry":
        from registry import clock
        from registry.security import configure
        from search.backends import make_backend
        configure(settings.argon2_time_cost, settings.argon2_memory_kib)
        clock.configure(settings.timezone)
        db = Database(settings.resolved_database_url(), settings.db_pool_size, settings.db_max_overflow)
        return cls(settings, db, make_backend(settings, db))

    def context(self, session, user: User | None) -> Context:
        return Context(session=session, user=user, settings=self.settings, search=self.search)

    def run_action(self, name: str, actor, data: dict | None = None) -> Any:
        """`actor`: a user id, None (anonymous), or an actor object such as the CLI operator.

        A write that loses a race for the same row (another transaction changed it between this one's
        read and its update) is run again when the caller did not name the version it edited: it
        asked for its change on the latest record. With a `version`, the caller gets the conflict."""
        act = get_action(name)
        check_input(data)  # every entry point: pages and the CLI as well as the API
        with act.prepare(self, actor, data) if act.prepare else nullcontext(data) as data:
            for attempt in range(1, RACE_RETRIES + 1):
                try:
                    return self._run_once(name, act, actor, data)
                except StaleDataError:
                    if attempt == RACE_RETRIES or not _retryable(data):
                        raise Conflict("记录已被他人同时修改，请刷新后重试") from None
                    log.info("%s lost a write race, running it again (attempt %d)", name, attempt + 1)

    def _run_once(self, name: str, act, actor, data: dict | None) -> Any:
        try:
            with self.db.unit_of_work(write=not act.read_only) as session:
                user = session.get(User, actor) if isinstance(actor, int) else actor
                ctx = self.context(session, user)
                result = call_action(name, ctx, data)
                if not act.read_only and ctx.changed_resources:
                    self.search.index_resources(session, ctx.changed_resources)
                if act.read_only:
                    session.rollback()
        except IntegrityError as exc:
            log.warning("integrity error in %s: %s", name, exc.orig)
            raise Conflict("保存失败：数据与已有记录冲突（可能是名称重复或仍被引用），请检查后重试") from None
        if not act.read_only and ctx.changed_resources:
            after_commit = getattr(self.search, "after_commit", None)
            if after_commit is not None:
                after_commit(ctx.changed_resources)
        for hook in ctx.after_commit:
            hook()
        return result


RACE_RETRIES = 3


def _retryable(data: dict | None) -> bool:
    """No version named by the caller, and no upload (a second run could not re-read its stream)."""
    data = data or {}
    return "version" not in data and not any(hasattr(value, "filename") for value in data.values())
