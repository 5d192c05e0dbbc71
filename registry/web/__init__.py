"""Server-rendered Chinese pages. Views parse forms and call actions; no rules live here."""
from __future__ import annotations

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect

from registry.authz import ROLE_LABELS
from registry.web import filters, forms, permissions

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
    forms.register(app)
    permissions.register(app)

    @app.before_request
    def _load_user():
        from registry.web.auth_views import load_session_user, password_change_gate
        g.user = load_session_user()
        return password_change_gate()

    def unread_count() -> int:
        """The logged-in user's unread messages (the 消息 item in the navigation)."""
        user = g.get("user")
        if user is None:
            return 0
        if "_unread" not in g:
            g._unread = app.extensions["registry"].run_action("inbox_list", user.id, {"rows": 0})["unread"]
        return g._unread

    app.jinja_env.globals.update(unread_count=unread_count)

    @app.context_processor
    def _globals():
        return {"current_user": g.get("user"), "role_labels": ROLE_LABELS,
                "site_title": app.extensions["registry"].settings.site_title}
