"""Server-rendered Chinese pages. Views parse forms and call actions; no rules live here."""
from __future__ import annotations

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect

from registry.authz import ROLE_LABELS
from registry.web import filters

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    import importlib

    from registry.api import bp as api_bp
    from registry.modules import WEB_MODULES

    csrf.init_app(app)
    csrf.exempt(api_bp)
    for name in WEB_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
    filters.register(app)

    @app.before_request
    def _load_user():
        from registry.web.auth_views import load_session_user, password_change_gate
        g.user = load_session_user()
        return password_change_gate()

    @app.context_processor
    def _globals():
        return {"current_user": g.get("user"), "role_labels": ROLE_LABELS,
                "site_title": app.extensions["registry"].settings.site_title}
