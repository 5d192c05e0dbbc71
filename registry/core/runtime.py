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

from registry.core.actions import Context, Progress, call_action, get_action
from registry.core.config import Settings
from registry.core.db import Database
from registry.core.errors import Conflict
from registry.core.inputs import check_input
from registry.accounts.models import User

log = logging.getLogger("registry")


@dataclass
class Registry:
    settings: Settings
    db: Database
    search: Any

    @classmethod
    def from_settings(cls, settings: Settings) -> "Registry":
        from registry.core import clock
        from registry.core.security import configure
        from search.engines.backends import make_backend
        configure(settings.argon2_time_cost, settings.argon2_memory_kib)
        clock.configure(settings.timezone)
        db = Database(settings.resolved_database_url(), settings.db_pool_size, settings.db_max_overflow)
        return cls(settings, db, make_backend(settings, db))

    def context(self, session, user, progress: Progress | None = None) -> Context:
        return Context(session=session, user=user, settings=self.settings, search=self.search,
                       progress=progress or Progress())

    def run_action(self, name: str, actor, data: dict | None = None, progress: Progress | None = None) -> Any:
        """`actor`: a user id, None (anonymous), or an actor object such as the CLI operator.

        A write that loses a race for the same row (another transaction changed it between this one's
        read and its update) is run again when the caller did not name the version it edited: it
        asked for its change on the latest record. With a `version`, the caller gets the conflict."""
        act = get_action(name)
        check_input(data)  # every entry point: pages and the CLI as well as the API
        with act.prepare(self, actor, data) if act.prepare else nullcontext(data) as data:
            for attempt in range(1, RACE_RETRIES + 1):
                try:
                    return self._run_once(name, act, actor, data, progress)
                except StaleDataError:
                    if attempt == RACE_RETRIES or not _retryable(data):
                        raise Conflict("记录已被他人同时修改，请刷新后重试") from None
                    log.info("%s lost a write race, running it again (attempt %d)", name, attempt + 1)

    def may(self, name: str, actor, data: dict | None = None) -> bool:
        """Whether `actor` may run action `name` on `data` now (auth and state; nothing is written)."""
        from registry.core.actions import allowed
        with self.db.unit_of_work(write=False) as session:
            user = session.get(User, actor) if isinstance(actor, int) else actor
            try:
                return allowed(name, self.context(session, user), data)
            finally:
                session.rollback()

    def _run_once(self, name: str, act, actor, data: dict | None, progress: Progress | None = None) -> Any:
        try:
            with self.db.unit_of_work(write=not act.read_only) as session:
                user = session.get(User, actor) if isinstance(actor, int) else actor
                ctx = self.context(session, user, progress)
                result = call_action(name, ctx, data)
                if act.read_only:
                    session.rollback()
                else:
                    self.index_changed(ctx)
        except IntegrityError as exc:
            log.warning("integrity error in %s: %s", name, exc.orig)
            raise Conflict("保存失败：数据与已有记录冲突（可能是名称重复或仍被引用），请检查后重试") from None
        return result   # (the unit of work ran its after-commit list)

    def index_changed(self, ctx: Context) -> None:
        """Index what the action changed inside its transaction; an external engine's writes go on
        the unit of work's after-commit list."""
        if not ctx.changed_resources:
            return
        self.search.index_resources(ctx.session, ctx.changed_resources)
        external = getattr(self.search, "after_commit", None)
        if external is not None:
            changed = set(ctx.changed_resources)
            ctx.after_commit.append(lambda: external(changed))


RACE_RETRIES = 3


def _retryable(data: dict | None) -> bool:
    """No version named by the caller, and no upload (a second run could not re-read its stream)."""
    data = data or {}
    return "version" not in data and not any(hasattr(value, "filename") for value in data.values())
