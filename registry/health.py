"""Liveness and readiness probes for the deployment (no auth, no details that help an attacker)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.route("/readyz")
def readyz():
    reg = current_app.extensions["registry"]
    checks = {}
    try:
        with reg.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready; logged, not shown
        current_app.logger.exception("readiness: database check failed")
        checks["database"] = "error"
    ping = getattr(reg.search, "ping", None)
    checks["search"] = "ok" if ping is None or ping() else "error"
    ready = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ready else "error", "checks": checks}), (200 if ready else 503)
