"""Answers for a signed-in user or an API client are never cached (Cache-Control: no-store); write
actions are refused over GET (their input would sit in URLs and proxy logs) while reads still work by
GET; HSTS is sent in production on an https site whatever the WSGI server."""
from __future__ import annotations

import pytest

from registry.app import create_app

CHEAP_HASH = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}


def test_signed_in_pages_and_api_answers_are_not_stored(client, make):
    admin = make.user("admin", username="cache-admin")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    assert client.get("/api/3/action/package_search").headers["Cache-Control"] == "no-store"
    token = make.act("api_token_create", {"user": "cache-admin"})["token"]
    answer = client.get("/api/3/action/organization_list", headers={"Authorization": token})
    assert answer.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        session["user_id"] = admin["id"]
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_write_actions_are_refused_over_get_and_reads_still_answer(client, make):
    make.user("admin", username="get-admin")
    token = make.act("api_token_create", {"user": "get-admin"})["token"]
    refused = client.get("/api/3/action/unit_create", query_string={"code": "u9", "name": "单位九"},
                         headers={"Authorization": token})
    assert refused.status_code == 405
    assert "须用 POST" in refused.get_json()["error"]["message"]
    assert client.get("/api/3/action/organization_list", headers={"Authorization": token}).get_json()["result"] == []
    made = client.post("/api/3/action/unit_create", json={"code": "u9", "name": "单位九"}, headers={"Authorization": token})
    assert made.status_code == 200


@pytest.mark.parametrize("site_url, expected", [("https://registry.example.gov.cn", True), ("http://127.0.0.1:5000", False)])
def test_hsts_in_production_on_an_https_site_under_any_server(migrated, tmp_path, app, site_url, expected):
    prod = create_app({"database_url": migrated, "instance_path": str(tmp_path), "secret_key": "k", **CHEAP_HASH,
                       "production": True, "site_url": site_url})
    answer = prod.test_client().get("/login")  # waitress or a test client: no proxy header, no gunicorn
    assert ("Strict-Transport-Security" in answer.headers) is expected
    prod.extensions["registry"].db.dispose()
