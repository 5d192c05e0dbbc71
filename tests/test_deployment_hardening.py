"""Deployment hardening over real HTTP requests: security headers and a CSP the templates obey,
request ids in headers, logs and the 500 message, per-IP login rate limiting beside the account
lockout, cookie flags, and readiness checking the search backend."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from registry.app import create_app
from registry.core.logs import JsonFormatter

CHEAP_HASH = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}  # as tests/conftest.py: hashing is global
TEMPLATES = Path(__file__).resolve().parent.parent / "registry"


def test_every_page_carries_the_security_headers_and_no_hsts_over_plain_http(client):
    for path in ("/", "/login", "/api/3/action/status_show", "/api/docs", "/healthz"):
        response = client.get(path)
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style", r"\sstyle=\"", r"\son[a-z]+=\"", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []


@pytest.fixture
def production_app(migrated, tmp_path, app):
    prod = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "prod-secret", **CHEAP_HASH,
                       "production": True, "proxy_count": 1, "login_attempts_per_ip": 3,
                       "login_window_seconds": 60})
    prod.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield prod
    prod.extensions["registry"].db.dispose()


def test_hsts_only_in_production_behind_tls_and_session_cookie_is_secure_httponly_lax(production_app, make):
    client = production_app.test_client()
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    tls = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=")
    make.user("admin", username="hsts-admin")
    login = client.post("/login", data={"username": "hsts-admin", "password": "secret-pass-1"},
                        headers={"X-Forwarded-Proto": "https"})
    assert login.status_code == 302
    cookie = login.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_failures_from_one_address_are_limited_with_429_while_other_addresses_still_log_in(production_app, make):
    make.user("admin", username="ip-admin")
    client = production_app.test_client()
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    for n in range(3):  # three different accounts: no per-account lockout is reached
        assert client.post("/login", data={"username": f"nobody{n}", "password": "x"}, headers=attacker).status_code == 401
    refused = client.post("/login", data={"username": "ip-admin", "password": "secret-pass-1"}, headers=attacker)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    other = client.post("/login", data={"username": "ip-admin", "password": "secret-pass-1"},
                        headers={"X-Forwarded-For": "198.51.100.7"})
    assert other.status_code == 302


def test_request_id_is_echoed_kept_from_the_proxy_and_quoted_in_the_500_message(migrated, tmp_path, client, caplog):
    fresh = client.get("/api/3/action/status_show")
    assert re.fullmatch(r"[0-9a-f]{16}", fresh.headers["X-Request-Id"])
    kept = client.get("/healthz", headers={"X-Request-Id": "nginx-req-12345678"})
    assert kept.headers["X-Request-Id"] == "nginx-req-12345678"
    junk = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert junk.headers["X-Request-Id"] != "<script>"

    app = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k", **CHEAP_HASH})

    @app.route("/api/boom-for-test")
    def _boom():
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="registry.api"):
        failed = app.test_client().get("/api/boom-for-test", headers={"X-Request-Id": "trace-abcdef123"})
    assert failed.status_code == 500
    assert failed.headers["X-Request-Id"] == "trace-abcdef123"
    assert "trace-abcdef123" in failed.get_json()["error"]["message"]
    assert "boom" not in failed.get_json()["error"]["message"]
    assert any("trace-abcdef123" in r.getMessage() for r in caplog.records)
    app.extensions["registry"].db.dispose()


def test_json_log_lines_carry_the_request_id_and_access_fields(app):
    formatter = JsonFormatter()
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            from registry.core.logs import RequestIdFilter
            RequestIdFilter().filter(record)
            records.append(formatter.format(record))

    handler = Keep()
    logging.getLogger("registry.access").addHandler(handler)
    try:
        app.test_client().get("/api/3/action/status_show", headers={"X-Request-Id": "json-line-1234"})
    finally:
        logging.getLogger("registry.access").removeHandler(handler)
    line = json.loads(records[-1])
    assert line["request_id"] == "json-line-1234"
    assert line["status"] == 200 and line["path"] == "/api/3/action/status_show" and line["duration_ms"] >= 0


def test_readiness_reports_the_database_and_the_search_backend(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "search": "ok"}


def test_readiness_fails_when_the_search_backend_is_unreachable(migrated, tmp_path, app):
    broken = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k", **CHEAP_HASH,
                         "search_backend": "elasticsearch", "es_url": "http://127.0.0.1:1"})
    try:
        answer = broken.test_client().get("/readyz")
        assert answer.status_code == 503
        assert answer.get_json()["checks"]["search"] == "error"
    finally:
        broken.extensions["registry"].db.dispose()
