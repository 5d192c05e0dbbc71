"""What a page may offer: it asks the actions (their auth and `ready` functions), never re-derives a rule.

In a template::

    {% if can('project_transition', {'id': p.id, 'transition': n.name}) %} … the form … {% endif %}

In a view: ``can("package_update", {"id": package["id"]})``. Answers are cached for the request.
"""
from __future__ import annotations

import json

from flask import current_app, g


def can(name: str, data: dict | None = None, user=None) -> bool:
    """Whether `user` (default: the logged-in user) may run action `name` on `data` now."""
    user = user if user is not None else g.get("user")
    if user is None:
        return False
    key = (name, user.id, json.dumps(data or {}, sort_keys=True, default=str))
    cache = g.setdefault("_can_cache", {})
    if key not in cache:
        cache[key] = current_app.extensions["registry"].may(name, user.id, data or {})
    return cache[key]


def register(app) -> None:
    app.jinja_env.globals.update(can=can)
