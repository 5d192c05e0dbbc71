"""The Flask application factory."""
from __future__ import annotations

import secrets
import threading
from pathlib import Path

from flask import Flask

from registry.core.config import Settings
from registry.core.runtime import Registry


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder="web/templates",
                static_folder="web/static")
    settings = Settings.from_env(**dict(test_config or {})).with_default_instance()
    app.instance_path = settings.instance_path  # REGISTRY_INSTANCE_PATH, else ./instance, as for the CLI
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.config.update(
        SECRET_KEY=settings.secret_key or _instance_secret(Path(app.instance_path)),
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        JSON_AS_ASCII=False, WTF_CSRF_TIME_LIMIT=None,
    )
    app.json.ensure_ascii = False
    _load_every_part()
    app.extensions["registry"] = Registry.from_settings(settings)
    if settings.production:  # no production instance with demo passwords (docs/security.md)
        from registry.accounts.actions import refuse_demo_passwords
        refuse_demo_passwords(app.extensions["registry"])

    from registry import api, web
    from registry.core import headers, logs, ratelimit
    from search.engines import recovery
    logs.init_app(app, settings.log_json, logs.server_level())
    headers.init_app(app, settings.production, settings.site_url)
    if settings.proxy_count:  # client address and https as the trusted proxy (nginx) saw them
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    api.init_app(app)
    web.init_app(app)
    ratelimit.init_app(app, settings.login_attempts_per_ip, settings.login_window_seconds)
    recovery.catch_up_search(app.extensions["registry"])
    _warm_up_matcher()
    return app


def _load_every_part() -> None:
    """Import every model, action and funding-rule module and configure the mappers, once, before the
    first request. Done lazily (on a worker's first action lookup), a query in another thread (the API
    token check) could configure the mappers while a model module was half imported (BudgetRun without
    its BudgetLine yet): SQLAlchemy's set-up then fails, and every later query of that worker with it."""
    from sqlalchemy.orm import configure_mappers

    from registry.core.actions import load_all
    from registry.measures.base import load_rules
    from registry.core.plugins_models import import_all_models
    import_all_models()
    load_all()
    load_rules()
    configure_mappers()


def _warm_up_matcher() -> None:
    """Load the data-element dictionary (about a second) in the background while the server starts,
    instead of in the first search or item edit a user makes (each gunicorn worker has its own)."""
    from search.engines.documents import matcher
    threading.Thread(target=matcher, name="warm-up-matcher", daemon=True).start()


def _instance_secret(instance: Path) -> str:
    """Development only: a random key kept in the instance folder (production requires one)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
