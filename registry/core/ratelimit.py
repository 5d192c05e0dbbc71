"""Login rate limiting per client IP, beside the back-off per account name and address (the `login`
action, registry.accounts.sessions).

The back-off slows guessing one account's password; this stops one address trying many accounts.
A browser that has logged in as the account before (the signed device cookie of
registry.accounts.views) is not refused here, so a shared office address under attack still lets
its own staff in.
Failed logins (the login page answers 401) are counted per IP in a sliding window; past the limit
the login form answers 429 with a Chinese message until the window moves on. Counts are kept per
worker process (nginx's `limit_req` in docs/nginx.conf.example adds a shared limit in front), so a
restart forgets them — acceptable for a limit whose job is to slow guessing down.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from flask import Flask, render_template, request

LOGIN_ENDPOINT = "auth.login"


class SlidingWindow:
    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self.hits: dict[str, deque] = defaultdict(deque)
        self.lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        hits = self.hits[key]
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> bool:
        with self.lock:
            hits = self._trim(key, time.monotonic())
            if not hits:
                self.hits.pop(key, None)
            return len(hits) >= self.limit

    def hit(self, key: str) -> None:
        with self.lock:
            now = time.monotonic()
            self._trim(key, now).append(now)
            if len(self.hits) > 100_000:  # bounded memory under a spray of addresses
                for stale in [k for k, v in self.hits.items() if not v or v[-1] <= now - self.seconds]:
                    del self.hits[stale]


def init_app(app: Flask, attempts: int, seconds: int) -> None:
    window = SlidingWindow(attempts, seconds)
    app.extensions["login_rate_limit"] = window

    @app.before_request
    def _refuse_when_limited():
        if request.endpoint == LOGIN_ENDPOINT and request.method == "POST" and window.blocked(_client()) \
                and not _known_device():
            minutes = max(1, round(seconds / 60))
            message = f"该地址登录失败次数过多，请 {minutes} 分钟后再试"
            return render_template("login.html", error=message), 429, {"Retry-After": str(seconds)}
        return None

    @app.after_request
    def _count_failures(response):
        if request.endpoint == LOGIN_ENDPOINT and request.method == "POST" and response.status_code == 401:
            window.hit(_client())
        return response


def _known_device() -> bool:
    from registry.accounts.views import known_device
    return known_device(request.form.get("username", "").strip())


def _client() -> str:
    return request.remote_addr or "-"
