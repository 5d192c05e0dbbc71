"""Every read action, every parameter, hostile values: lone UTF-16 surrogates, huge and infinite
numbers, deep nesting, NUL characters. The API answers each with a 4xx (or a 200), never a server
error; so does every page's query string."""
from __future__ import annotations


import pytest

from registry.core.actions import ACTIONS, load_all

COMMON = ("id", "q", "limit", "offset", "rows", "start", "sort", "fq", "year", "unit", "system", "name",
          "all_fields", "include_datasets", "state", "as_of")
HOSTILE_JSON = ['"\\ud800"', '"a\\udfffb"', '"\\u0000"', "9223372036854775808", "18446744073709551616",
                "-9223372036854775809", "1e999", "-1e999", "1e308", '"9223372036854775808"', '"1e999"',
                '"' + "9" * 400 + '"', "1.5", "[]", "{}", "true", "null", '["\\ud800"]', '{"\\ud800": 1}']
HOSTILE_QUERY = ["%ED%A0%80", "%00", "9223372036854775808", "1e999", "-1", "nan", "inf", "%FF%FE"]
DEEP = 1200


def _read_actions() -> dict:
    load_all()
    return {name: act for name, act in sorted(ACTIONS.items()) if act.read_only}


def _params(act) -> list[str]:
    names = list(act.schema().fields) if act.schema is not None else []
    return list(dict.fromkeys(names + list(COMMON)))


@pytest.fixture
def county(make):
    make.package()
    make.user("bureau", username="fuzz-bureau")
    return {"Authorization": make.act("api_token_create", {"user": "fuzz-bureau"})["token"]}


def test_every_read_action_answers_hostile_parameters_without_a_server_error(client, county):
    failures = []
    for name, act in _read_actions().items():
        url = f"/api/3/action/{name}"
        bodies = [f'{{"{param}": {value}}}' for param in _params(act) for value in HOSTILE_JSON]
        bodies += ['{"q": ' + "[" * DEEP + "]" * DEEP + "}", '{"id": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
                   "[" * DEEP + "]" * DEEP]
        for body in bodies:
            for headers in ({}, county):
                answer = client.post(url, data=body.encode(), content_type="application/json", headers=headers)
                if answer.status_code >= 500:
                    failures.append((name, body[:80], answer.status_code))
        for param in _params(act):
            for value in HOSTILE_QUERY:
                answer = client.get(f"{url}?{param}={value}", headers=county)
                if answer.status_code >= 500:
                    failures.append((name, f"GET {param}={value}", answer.status_code))
    assert failures == [], sorted({(f[1][:40] if not f[1].startswith("{") else f[1].split(":", 1)[1][:30]) for f in failures})


PAGES = ("/", "/resources", "/search", "/systems", "/units", "/duplicates", "/overlap", "/projects", "/sharing",
         "/funding/directory", "/audit", "/import/template/catalog.xlsx")


def test_pages_answer_hostile_query_strings_without_a_server_error(client, county):
    failures = []
    for page in PAGES:
        for param in ("q", "page", "rows", "start", "sort", "unit", "year", "system", "state"):
            for value in HOSTILE_QUERY:
                answer = client.get(f"{page}?{param}={value}")
                if answer.status_code >= 500:
                    failures.append((page, param, value, answer.status_code))
    assert failures == [], sorted({(f[1][:40] if not f[1].startswith("{") else f[1].split(":", 1)[1][:30]) for f in failures})


FORM_FIELDS = ("username", "password", "name", "title", "code", "q", "description", "reason", "note", "opinion",
               "unit", "system", "items", "kind", "reference", "content", "remarks", "leader_phone")


@pytest.mark.parametrize("hostile", ["a%00b", "a%ED%A0%80b", "a%C0%80b"])  # as a browser or script sends them
def test_every_form_answers_nul_and_surrogates_without_a_server_error(app, client, make, hostile):
    package = make.package()
    admin = make.user("admin", username="fuzz-admin")
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        with client.session_transaction() as session:
            session["user_id"] = admin["id"]
        failures = []
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.rule.startswith(("/api/", "/logout")):
                continue
            values = {arg: package["id"] if rule._converters[arg].__class__.__name__ == "IntegerConverter"
                      else package["name"] for arg in rule.arguments}
            url = rule.build(values, append_unknown=False)[1]
            body = "&".join(f"{field}={hostile}" for field in FORM_FIELDS)
            answer = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
            if answer.status_code >= 500:
                failures.append((rule.rule, answer.status_code))
            with client.session_transaction() as session:  # a form that logs out or in must not end the walk
                session["user_id"] = admin["id"]
        assert failures == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
