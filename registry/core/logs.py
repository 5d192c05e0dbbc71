"""Structured logs with a request id.

Every request gets an id (a well-formed `X-Request-Id` from the proxy is kept, so nginx and the app
log the same id), echoed in the response's `X-Request-Id`, attached to every log record written
while the request runs, and shown in the 500 message so a clerk can quote it. With
`REGISTRY_LOG_JSON=true` each record is one JSON object per line (for the log collector); otherwise
plain text with the id.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

log = logging.getLogger("registry.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    """The id of the request being served ('-' outside a request)."""
    if has_request_context():
        if "request_id" not in g:
            g.request_id = uuid.uuid4().hex[:16]
        return g.request_id
    return "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, extra fields."""

    EXTRA = ("method", "path", "status", "duration_ms", "remote_addr", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", "-")}
        for key in self.EXTRA:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


ENGINE_CLIENT_LOGGERS = ("opensearch", "elastic_transport", "elasticsearch")


def configure(json_lines: bool, level: int = logging.INFO) -> None:
    """The root handler: JSON lines or plain text, both carrying the request id."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_registry", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._registry = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # The engine clients log every request at INFO; the search backend logs their failures itself,
    # with what was being done.
    for name in ENGINE_CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def server_level() -> int:
    """The level the server was told to log at: under gunicorn its `--log-level` (its error logger's
    level), so `--log-level warning` gets no per-request lines; otherwise (`registry serve`, the
    development server, the CLI) INFO."""
    gunicorn = logging.getLogger("gunicorn.error")
    if gunicorn.handlers:
        return gunicorn.level or logging.INFO
    return logging.INFO


def init_app(app: Flask, json_lines: bool, level: int = logging.INFO) -> None:
    configure(json_lines, level)

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = current_request_id()
        started = g.get("request_started")
        if started is not None and request.endpoint not in ("static", "health.healthz"):
            user = g.get("user")
            log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                            "remote_addr": request.remote_addr, "user_id": getattr(user, "id", None)})
        return response
