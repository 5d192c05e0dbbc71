"""Server-rendered Chinese pages. Views parse forms and call actions; no rules live here."""
from __future__ import annotations

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect

from registry.core.authz import ROLE_LABELS
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
    def _refuse_unstorable_text():
        """A page's query string or form holding what no input may (NUL, lone surrogates) is refused
        here, before any view queries with it (the API checks its own input in read_params)."""
        if request.path.startswith("/api/"):
            return None
        from registry.core.inputs import input_problem
        from registry.web.errors import html_error
        fields = [*request.args.items(multi=True)]
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields += [*request.form.items(multi=True)]
        reason = input_problem([value for pair in fields for value in pair])
        return html_error(400, reason) if reason else None

    @app.before_request
    def _load_user():
        from registry.accounts.views import load_session_user, password_change_gate
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
