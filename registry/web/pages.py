"""How a page runs an action: as the logged-in user, a missing record a 404 page, a refusal a 403 page.

Every domain's views use these (catalog, funding, projects, sharing, duplicates, dashboards), so they
live in the app shell, not in one domain's views.
"""
from __future__ import annotations

from flask import abort, current_app, g

from registry.core.errors import NotAuthorized, NotFound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"   # every workbook download


def run(name: str, data: dict | None = None):
    user = g.get("user")
    return current_app.extensions["registry"].run_action(name, user.id if user else None, data or {})


def call_or_abort(name: str, data: dict):
    """Run an action for a page: a missing record is a 404 page, a refusal a 403 page."""
    try:
        return run(name, data)
    except NotFound:
        abort(404)
    except NotAuthorized as exc:
        abort(403, exc.message)


def show_or_404(name: str, ref, **extra):
    try:
        return run(name, {"id": ref, **extra})
    except NotFound:
        abort(404)
