"""The CKAN envelope, GET/POST parsing, and that bad input never gives a 500."""
import json

import pytest


def post(client, name, data=None, token=None, raw=None):
    headers = {"Authorization": token} if token else {}
    if raw is not None:
        return client.post(f"/api/3/action/{name}", data=raw, headers=headers, content_type="application/json")
    return client.post(f"/api/3/action/{name}", json=data or {}, headers=headers)


def test_both_action_paths_and_get_with_json_content_type_work(client, make):
    make.package(open_to_public=True)   # (anonymous: the public catalog)
    for path in ("/api/action/package_list", "/api/3/action/package_list"):
        resp = client.get(path, headers={"Content-Type": "application/json"})
        assert resp.status_code == 200 and resp.get_json()["success"] is True
        assert len(resp.get_json()["result"]) == 1


def test_package_show_of_missing_id_is_not_found_error(client):
    resp = post(client, "package_show", {"id": "no-such"})
    assert resp.status_code == 404
    error = resp.get_json()["error"]
    assert error["__type"] == "Not Found Error" and "不存在" in error["message"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "\xff\xfe"])
def test_malformed_json_body_is_a_validation_error_in_chinese(client, raw):
    resp = post(client, "package_search", raw=raw.encode("latin-1") if raw.startswith("\xff") else raw)
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["success"] is False and body["error"]["__type"] == "Validation Error"
    assert "JSON" in body["error"]["message"]


def test_unknown_action_is_not_found(client):
    body = post(client, "no_such_action").get_json()
    assert body["error"]["__type"] == "Not Found Error"


def write_context(make):
    unit = make.unit()
    system = make.system(unit)
    user = make.user("department", unit)
    return system, make.token(user)


@pytest.mark.parametrize("data, field, fragment", [
    ({"sharing_type": "随便共享"}, "sharing_type", "可选值：无条件共享、有条件共享、不予共享"),
    ({"sharing_type": 12}, "sharing_type", "共享类型必须是文本"),
    ({"title": "长" * 201}, "title", "不能超过200个字符"),
    ({"title": ""}, "title", "不能为空"),
    ({"open_to_public": "也许"}, "open_to_public", "只能填“是”或“否”"),
    ({"unexpected_field": 1}, "unexpected_field", "未知字段"),
    ({"items": [{"name": "姓名", "data_length": "十八"}]}, "items.0.data_length", "必须是整数"),
    ({"items": [{"name": "姓名", "data_length": 0}]}, "items.0.data_length", "之间"),
    ({"items": "姓名"}, "items", "必须是列表"),
    ({"format_class": "纸质"}, "format_class", "信息资源格式分类"),
])
def test_bad_fields_get_chinese_messages_naming_the_field(client, make, data, field, fragment):
    system, token = write_context(make)
    payload = {"system": system["id"], "title": "测试资源", "sharing_type": "conditional",
               "sharing_method": "platform", **data}
    resp = post(client, "package_create", payload, token)
    assert resp.status_code == 409, resp.get_json()
    error = resp.get_json()["error"]
    assert error["__type"] == "Validation Error"
    assert any(fragment in m for m in error[field]), error


def test_wrong_json_type_for_whole_body_fields_never_500(client, make):
    system, token = write_context(make)
    for payload in ({"system": [1], "title": "x", "sharing_type": "有条件共享"},
                    {"system": {"a": 1}, "title": ["x"], "sharing_type": None},
                    {"system": True, "title": 5, "sharing_type": 5.5, "items": [5]}):
        resp = post(client, "package_create", payload, token)
        assert resp.status_code in (400, 404, 409, 422), resp.data
        assert resp.get_json()["success"] is False


def test_open_list_values_are_kept_and_marked_non_standard(client, make):
    system, token = write_context(make)
    resp = post(client, "package_create", {"system": system["id"], "title": "学籍信息", "sharing_type": "有条件共享",
                                           "sharing_method": "接口", "update_cycle": "每学期", "format_type": "达梦",
                                           "items": [{"name": "照片", "data_type": "二进制"},
                                                     {"name": "身份证号", "data_type": "字符型C", "data_length": 18}]},
                token)
    result = resp.get_json()["result"]
    assert result["update_cycle"] == "每学期" and result["format_type"] == "dm"
    assert set(result["nonstandard_fields"]) == {"update_cycle", "items.data_type"}
    assert [i["data_type"] for i in result["items"]] == ["二进制", "C"]


def test_upload_over_the_limit_is_refused_with_a_chinese_message(client):
    resp = client.post("/api/3/action/package_search", data=b"x" * (6 * 1024 * 1024),
                       content_type="application/json")
    assert resp.status_code == 413
    assert "大小限制" in resp.get_json()["error"]["message"]


def test_unexpected_errors_do_not_leak_a_stack_trace(app, client, monkeypatch):
    from registry.core import actions as base
    base.load_all()
    original = base.ACTIONS["status_show"]

    def boom(ctx, data):
        raise RuntimeError("secret internals")
    monkeypatch.setitem(base.ACTIONS, "status_show", original.__class__(
        original.name, boom, original.auth, None, True, ""))
    resp = client.get("/api/3/action/status_show")
    assert resp.status_code == 500
    text = resp.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert "请求编号" in resp.get_json()["error"]["message"]
