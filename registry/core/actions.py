"""The explicit action registry: name → function, auth function, input schema, read-only flag.

Every entry point (API, web pages, CLI, importers) calls actions through `call_action`, so a
rule is enforced once. Auth runs before the action; the boundary commits (see `run_action`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from registry.core.errors import NotFound, ValidationFailed


class Actor(Protocol):
    """Who acts: a `registry.accounts.models.User`, or an `Operator` (the CLI, the demo loader)."""

    id: int | None
    username: str
    role: str
    unit_id: int | None
    active: bool


@dataclass(frozen=True)
class Operator:
    """Someone acting outside a login session (the terminal's user, the demo loader), with admin
    rights and logged under `username`."""

    username: str
    role: str = "admin"
    id: None = None
    unit_id: None = None
    active: bool = True


class Progress:
    """An action's progress channel: `start(total, label)`, then `advance(n)`; `note(text)` for a
    step. The default shows nothing; the CLI renders a bar (registry.cli.BarProgress)."""

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        pass


@dataclass
class Context:
    """What an action needs besides its input: the session, the acting user, the app settings."""

    session: Session
    user: Actor | None  # None: anonymous
    settings: Any = None
    search: Any = None  # the search backend (search.engines.backend.SearchBackend)
    changed_resources: set[int] = field(default_factory=set)
    progress: Progress = field(default_factory=Progress)

    @property
    def username(self) -> str:
        return self.user.username if self.user is not None else "anonymous"

    @property
    def after_commit(self) -> list[Callable[[], None]]:
        """The unit of work's after-commit list (registry.core.db.after_commit)."""
        from registry.core.db import after_commit
        return after_commit(self.session)


@dataclass(frozen=True)
class Action:
    name: str
    func: Callable[[Context, dict], Any]
    auth: Callable[[Context, dict], None]
    schema: type[Schema] | None
    read_only: bool
    doc: str
    partial: bool = False
    # (registry, actor, data) → context manager yielding the data to run with: work that needs no write
    # lock (staging and parsing an upload), done before the write transaction opens
    prepare: Callable[[Any, Any, dict], Any] | None = None
    # (ctx, data) → None, or raises a RegistryError saying why the action cannot be taken on this
    # record now (its state): with `auth`, what pages ask before offering a control (see `allowed`)
    ready: Callable[[Context, dict], None] | None = None
    internal: bool = False  # not offered by the API (e.g. `login`: the page passes the client address)


ACTIONS: dict[str, Action] = {}


def action(name: str, *, auth: Callable[[Context, dict], None], schema: type[Schema] | None = None,
           read_only: bool = False, partial: bool = False, prepare: Callable[[Any, Any, dict], Any] | None = None,
           ready: Callable[[Context, dict], None] | None = None, internal: bool = False):
    """Register an action. `auth` and (for writes) `schema` are required, so none is forgotten."""

    def register(func):
        if name in ACTIONS:
            raise RuntimeError(f"action {name} registered twice")
        if not read_only and schema is None:
            raise RuntimeError(f"write action {name} needs an input schema")
        ACTIONS[name] = Action(name, func, auth, schema, read_only, (func.__doc__ or "").strip(), partial, prepare,
                               ready, internal)
        return func

    return register


def get_action(name: str) -> Action:
    load_all()
    try:
        return ACTIONS[name]
    except KeyError:
        raise NotFound(f"没有名为“{name}”的接口") from None


def call_action(name: str, ctx: Context, data: dict | None = None) -> Any:
    """Check auth, validate, run. Does not commit: the caller's boundary does."""
    act = get_action(name)
    data = dict(data or {})
    act.auth(ctx, data)
    if act.schema is not None:
        data = validate(act.schema, data, partial=act.partial)
    return act.func(ctx, data)


def allowed(name: str, ctx: Context, data: dict | None = None) -> bool:
    """Whether ctx.user may run `name` on the record `data` names, now: its auth function and its
    `ready` check pass. Runs nothing; pages use it to offer only the controls that will work."""
    from registry.core.errors import RegistryError
    act = get_action(name)
    data = dict(data or {})
    try:
        act.auth(ctx, data)
        if act.ready is not None:
            act.ready(ctx, data)
    except RegistryError:
        return False
    return True


def validate(schema_cls: type[Schema], data: dict, partial: bool = False) -> dict:
    """`partial`: every field may be absent except `id`, which names the record to change."""
    try:
        schema = schema_cls()
        if partial:
            partial = tuple(name for name in schema.fields if name != "id")
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise ValidationFailed(_flatten(exc.messages)) from None


def _flatten(messages) -> dict[str, list[str]]:
    if isinstance(messages, list):
        return {"message": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                flat[f"{key}.{sub}"] = msgs
        else:
            flat[str(key)] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return flat


_loaded = False


def load_all() -> None:
    """Import every action module so its registrations run (explicit list, no discovery). Once:
    every API request looks actions up through here."""
    global _loaded
    if _loaded:
        return
    import importlib

    from registry.modules import ACTION_MODULES
    for module in ACTION_MODULES:
        importlib.import_module(module)
    _loaded = True
