"""Security headers on every response.

The CSP allows only this site's own files: no inline scripts or styles anywhere (templates use
classes and registry.js / registry.css), no frames, no plugins. HSTS is sent only in production
over TLS (directly or behind a proxy that says so, see `proxy_count`): a browser told to insist on
https by a plain-http development server would lock the developer out.
"""
from __future__ import annotations

from flask import Flask, g, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask, production: bool, site_url: str = "") -> None:
    https_site = site_url.lower().startswith("https://")

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        # production over TLS: as the request says (a server or proxy that reports https), or as the site's
        # address says (any WSGI server: browsers ignore the header on a plain-http answer, RFC 6797 §8.1)
        if production and (request.is_secure or https_site):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response


def _private(response) -> bool:
    """An answer for a signed-in user or an API client: no shared or browser cache may keep it."""
    if request.endpoint == "static":
        return False
    return (request.path.startswith("/api/") or g.get("user") is not None
            or bool(request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key")))
