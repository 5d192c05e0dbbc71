"""Security headers on every response.

The CSP allows only this site's own files: no inline scripts or styles anywhere (templates use
classes and registry.js / registry.css), no frames, no plugins. HSTS is sent only in production
over TLS (directly or behind a proxy that says so, see `proxy_count`): a browser told to insist on
https by a plain-http development server would lock the developer out.
"""
from __future__ import annotations

from flask import Flask, request

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


def init_app(app: Flask, production: bool) -> None:
    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
