"""The OpenAPI description is generated from the action registry, served with a reference page,
and schemathesis fuzzes every operation against the live app seeded with the demo county."""
from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from schemathesis.config import SchemathesisConfig

from registry.core.actions import ACTIONS, load_all
from tests.conftest import empty_database

MAX_EXAMPLES = 5  # per operation: the whole run stays near a minute


@pytest.fixture(scope="module")
def seeded(session_app, live_server, demo_snapshot):
    """The demo county behind the live server, and an administrator's API token (once per module)."""
    reg = session_app.extensions["registry"]
    demo_snapshot.restore(reg)   # the demo county, as load_demo writes it
    token = reg.run_action("api_token_create", _Admin(), {"user": "admin", "name": "fuzz"})
    yield {"url": live_server, "token": token["token"]}
    empty_database(reg.db.engine)


class _Admin:
    id = None
    role = "admin"
    unit_id = None
    active = True
    username = "schemathesis"


@pytest.fixture(scope="module")
def api_schema(seeded):
    config = SchemathesisConfig.from_dict({
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"}})
    return schemathesis.openapi.from_url(seeded["url"] + "/api/openapi.json", config=config)


def test_openapi_has_one_operation_per_action_and_get_for_reads(client):
    load_all()
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    public = {name for name, act in ACTIONS.items() if not act.internal}  # login/logout: pages only
    assert {p.rsplit("/", 1)[1] for p in paths} == public
    for name in public:
        act = ACTIONS[name]
        ops = paths[f"/api/3/action/{name}"]
        assert "post" in ops
        assert ("get" in ops) == act.read_only
    body = paths["/api/3/action/item_patch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["data_length"]["x-label"] == "数据长度"
    assert body["required"] == ["id"]  # a patch names its record and changes only what it is given
    upload = paths["/api/3/action/catalog_import"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["upload"] == {"type": "string", "format": "binary", "description": "上传文件"}
    error = paths["/api/3/action/package_show"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert error["properties"]["error"]["required"] == ["__type", "message"]


def test_reference_page_lists_every_action_with_chinese_field_labels(client):
    load_all()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name, act in ACTIONS.items():
        assert (f'id="{name}"' in html) != act.internal
    assert "信息资源名称" in html and "数据长度" in html
    assert "<script>" not in html and "http://cdn" not in html and "https://" not in html


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_without_5xx_and_as_described(case, seeded):
    session = _SESSION.setdefault("s", requests.Session())
    case.call_and_validate(base_url=seeded["url"], session=session,
                           headers={"Authorization": seeded["token"]},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])


_SESSION: dict = {}
