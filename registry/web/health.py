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
    readiness = getattr(reg.search, "readiness", None)   # search engine: ok / degraded / error
    checks["search"] = "ok" if readiness is None else readiness()
    ready = all(v in ("ok", "degraded") for v in checks.values())
    status = "error" if not ready else ("degraded" if "degraded" in checks.values() else "ok")
    return jsonify({"status": status, "checks": checks}), (200 if ready else 503)
