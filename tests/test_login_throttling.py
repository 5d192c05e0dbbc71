"""Login throttling (issue 18, low): back-off per account name and client address instead of a lockout
anyone can trigger, the same answer for unknown and known names, a dummy hash for unknown names, and
a per-address limit that still lets a shared office's own staff in."""
from __future__ import annotations

import argon2
import pytest
from sqlalchemy import select, update

from registry.app import create_app
from registry.core.db import utcnow
from registry.accounts.models import LoginThrottle
from tests.factories import PASSWORD

THROTTLE = {"login_free_failures": 3, "login_backoff_seconds": 40, "login_backoff_max_seconds": 100,
            "login_attempts_per_ip": 1000}


@pytest.fixture
def throttled_app(migrated, tmp_path, app):
    """The limits come from settings: three free failures, then 40 s, 80 s, 100 s (the cap)."""
    made = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k",
                       "argon2_time_cost": 1, "argon2_memory_kib": 1024, **THROTTLE})
    made.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield made
    made.extensions["registry"].db.dispose()


def attempt(app, username, password, address="192.0.2.10", client=None):
    client = client or app.test_client()
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_failures_from_one_address_never_lock_the_account_for_another(throttled_app, make):
    make.user("admin", username="boss")
    for _ in range(10):
        assert attempt(throttled_app, "boss", "guess", "203.0.113.66").status_code in (401, 429)
    assert attempt(throttled_app, "boss", PASSWORD, "198.51.100.20").status_code == 302


def test_after_the_free_failures_the_pair_waits_and_the_wait_doubles_up_to_the_cap(throttled_app, make):
    make.user("admin", username="boss")
    reg = throttled_app.extensions["registry"]
    for _ in range(2):
        assert attempt(throttled_app, "boss", "guess").status_code == 401
    third = attempt(throttled_app, "boss", "guess")
    assert third.status_code == 401  # the third failure starts the back-off
    waits = []
    for _ in range(3):
        refused = attempt(throttled_app, "boss", PASSWORD)  # even the right password waits
        assert refused.status_code == 429 and "登录失败次数过多" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        with reg.db.unit_of_work(write=True) as session:  # the wait is over
            session.execute(update(LoginThrottle).values(blocked_until=utcnow()))
        assert attempt(throttled_app, "boss", "guess").status_code == 401
    assert [w <= s for w, s in zip(waits, (40, 80, 100))] == [True] * 3 and waits[0] > 30 and waits[2] > 80
    with reg.db.unit_of_work(write=True) as session:
        session.execute(update(LoginThrottle).values(blocked_until=utcnow()))
    assert attempt(throttled_app, "boss", PASSWORD).status_code == 302
    with reg.db.sessions() as session:
        assert session.scalars(select(LoginThrottle)).all() == []  # success forgets the failures


def test_unknown_and_known_names_get_the_same_answers(throttled_app, make):
    make.user("admin", username="boss")
    answers = {}
    for name in ("boss", "no-such-name"):
        seen = [attempt(throttled_app, name, "guess") for _ in range(4)]
        answers[name] = [(r.status_code, r.get_data(as_text=True).split('role="alert">')[1].split("<")[0]) for r in seen]
    assert answers["boss"] == answers["no-such-name"]
    assert answers["boss"][0] == (401, "用户名或密码错误")


def test_an_unknown_name_costs_a_password_hash_like_a_known_one(throttled_app, make, monkeypatch):
    """Timing: the login of an unknown name verifies against a dummy argon2 hash (counted, not timed)."""
    make.user("admin", username="boss")
    calls = []
    real_verify = argon2.PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    attempt(throttled_app, "boss", "guess", "192.0.2.1")
    attempt(throttled_app, "no-such-name", "guess", "192.0.2.2")
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_the_login_writes_happen_in_the_login_action_not_the_view():
    import inspect

    from registry.accounts import views as auth_views
    source = inspect.getsource(auth_views)
    assert "unit_of_work" not in source and 'run_action("login"' in source


@pytest.fixture
def office_app(migrated, tmp_path, app):
    made = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k",
                       "argon2_time_cost": 1, "argon2_memory_kib": 1024, "login_attempts_per_ip": 3,
                       "login_window_seconds": 600})
    made.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield made
    made.extensions["registry"].db.dispose()


def test_a_shared_office_address_under_attack_still_lets_its_own_staff_in(office_app, make):
    make.user("bureau", username="clerk")
    make.user("bureau", username="newcomer")
    office = "10.20.30.40"
    clerk_browser = office_app.test_client()
    assert attempt(office_app, "clerk", PASSWORD, office, clerk_browser).status_code == 302  # a normal day
    clerk_browser.post("/logout")
    for n in range(3):  # someone in the same building sprays passwords
        assert attempt(office_app, f"victim{n}", "guess", office).status_code == 401
    assert attempt(office_app, "newcomer", PASSWORD, office).status_code == 429  # unknown browser: limited
    assert attempt(office_app, "clerk", PASSWORD, office, clerk_browser).status_code == 302  # known browser
    assert attempt(office_app, "clerk", PASSWORD, "10.99.0.1").status_code == 302


def test_the_login_action_trusts_no_verdict_it_did_not_reach_itself(reg, make):
    """The password is checked before the write transaction (registry.accounts.sessions.check_before_writing);
    a caller passing its own `checked` value, or a verdict about another password, gets no login."""
    from registry.core.actions import call_action
    from registry.accounts.sessions import _Checked
    make.user("admin", username="boss")
    with reg.db.unit_of_work(write=True) as session:
        ctx = reg.context(session, None)
        forged = call_action("login", ctx, {"username": "boss", "password": "guess", "checked": True})
        stale = call_action("login", ctx, {"username": "boss", "password": "guess", "address": "-",
                                           "checked": _Checked("boss", PASSWORD, "-", None, True)})
    assert forged["ok"] is False and stale["ok"] is False
    assert reg.run_action("login", None, {"username": "boss", "password": PASSWORD})["ok"] is True
