"""One writer for the catalog: an item edit moves its resource's version (no lost updates), and the
same change made through the API, the web form or an import leaves the same versions, audit rows
and conflict explanations."""
from __future__ import annotations

import re

import pytest

from importers.actions import LocalFile
from tests.import_workbooks import CIVIL, JIUZHU, form_rows, write_xlsx

SYSTEM_LINE = ["系统名称：救助管理信息系统"]


def _post(client, name: str, token: str, body: dict):
    return client.post(f"/api/3/action/{name}", json=body, headers={"Authorization": token})


def _item_change(way: str, item: dict, resource: dict) -> dict:
    """The four item edits a whole-resource save must not undo."""
    return {
        "item_patch": ("item_patch", {"id": item["id"], "data_length": 99}),
        "item_update": ("item_update", {"id": item["id"], "name": item["name"], "data_type": "C",
                                        "data_length": 99}),
        "item_create": ("item_create", {"resource": resource["id"], "name": "新增信息项", "data_type": "C"}),
        "item_delete": ("item_delete", {"id": item["id"]}),
    }[way]


@pytest.mark.parametrize("way", ["item_patch", "item_update", "item_create", "item_delete"])
def test_a_whole_resource_save_over_a_version_read_before_an_item_edit_is_refused(client, make, way):
    unit = make.unit()
    package = make.package(make.system(unit))
    token = make.token(make.user("department", unit, f"editor-{way}"))
    read = _post(client, "package_show", token, {"id": package["id"]}).get_json()["result"]

    name, body = _item_change(way, read["items"][0], read)
    edited = _post(client, name, token, body)
    assert edited.status_code == 200, edited.get_json()
    after_edit = _post(client, "package_show", token, {"id": package["id"]}).get_json()["result"]
    assert after_edit["version"] == read["version"] + 1

    stale = {k: read[k] for k in ("id", "title", "sharing_type", "sharing_method", "update_cycle", "version")}
    stale["items"] = [{k: i[k] for k in ("name", "data_type", "data_length")} for i in read["items"]]
    save = _post(client, "package_update", token, stale)

    assert save.status_code == 409, save.get_json()
    error = save.get_json()["error"]
    assert f"editor-{way}" in error["message"] and "items" in error["message"]
    assert [e["action"] for e in error["changes"]["edits"]] == [name]
    now = _post(client, "package_show", token, {"id": package["id"]}).get_json()["result"]
    assert now["items"] == after_edit["items"], "the item edit survives"


# ---- the same change three ways ---------------------------------------------------------------

def _login(client, user: dict) -> None:
    with client.session_transaction() as session:
        session["user_id"] = user["id"]


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _workbook(tmp_path, length: int):
    title, *values, items = JIUZHU
    items = ((items[0][0], items[0][1], length, items[0][3]), *items[1:])
    rows, merges = form_rows(resources=((title, *values, items),), lead=[SYSTEM_LINE])
    return write_xlsx(tmp_path / f"jiuzhu-{length}.xlsx", {"Sheet1": (rows, merges)})


def _change_through_api(make, client, user, package, tmp_path):
    item = package["items"][0]
    make.act("item_patch", {"id": item["id"], "data_length": 20}, user["id"])


def _change_through_form(make, client, user, package, tmp_path):
    _login(client, user)
    page = f"/resources/{package['name']}/edit"
    form = {"csrf_token": _csrf(client, page), "version": str(package["version"]), "title": package["title"],
            **{k: package[k] for k in ("format_class", "format_type", "sharing_type", "sharing_method",
                                       "open_conditions", "update_cycle")},
            "open_to_public": "是" if package["open_to_public"] else "否",
            "item_name": [i["name"] for i in package["items"]],
            "item_type": [i["data_type"] for i in package["items"]],
            "item_length": [str(20 if n == 0 else i["data_length"]) for n, i in enumerate(package["items"])]}
    response = client.post(page, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)


def _change_through_import(make, client, user, package, tmp_path):
    report = make.act("catalog_import", {"upload": LocalFile(_workbook(tmp_path, 20))}, user["id"])
    assert (report["resources_updated"], report["items_updated"]) == (1, 1)


@pytest.mark.parametrize("change", [_change_through_api, _change_through_form, _change_through_import],
                         ids=["api", "form", "import"])
def test_the_same_item_change_through_api_form_and_import_leaves_the_same_record(make, client, tmp_path, change):
    unit = make.unit(code="yymzj", name=CIVIL)
    alice = make.user("department", unit, "alice")
    make.act("catalog_import", {"upload": LocalFile(_workbook(tmp_path, 16))}, alice["id"])
    package = make.act("package_search", {"q": JIUZHU[0]})["results"][0]
    item = package["items"][0]
    audit_before = {r["id"] for r in make.act("audit_log_list", {})}

    change(make, client, alice, package, tmp_path)

    now = make.act("package_show", {"id": package["id"]})
    assert now["version"] == package["version"] + 1
    assert [(i["name"], i["data_length"], i["version"]) for i in now["items"]] == \
        [(item["name"], 20, item["version"] + 1), *((i["name"], i["data_length"], i["version"])
                                                    for i in package["items"][1:])]
    rows = [r for r in make.act("audit_log_list", {}) if r["id"] not in audit_before]
    shape = sorted((r["entity_type"], r["entity_id"], r["username"], sorted(r["before"]), sorted(r["after"]))
                   for r in rows)
    assert shape == [("item", item["id"], "alice", ["data_length"], ["data_length"]),
                     ("resource", package["id"], "alice", ["items"], ["items"])]
    item_row = next(r for r in rows if r["entity_type"] == "item")
    assert (item_row["before"], item_row["after"]) == ({"data_length": 16}, {"data_length": 20})

    bob = make.token(make.user("department", unit, "bob"))
    stale_item = _post(client, "item_patch", bob, {"id": item["id"], "version": item["version"], "data_length": 5})
    stale_resource = _post(client, "package_patch", bob, {"id": package["id"], "version": package["version"],
                                                          "description": "x"})
    assert stale_item.status_code == stale_resource.status_code == 409
    assert "修改人：alice；变化的字段：data_length" in stale_item.get_json()["error"]["message"]
    assert "修改人：alice；变化的字段：items" in stale_resource.get_json()["error"]["message"]
    assert stale_item.get_json()["error"]["changes"]["fields"] == {"data_length": {"read": 16, "current": 20}}


def test_saving_the_resource_form_keeps_each_items_own_sharing_type(make, client):
    unit = make.unit()
    package = make.package(make.system(unit), items=("姓名", "宗教信仰"))
    make.act("item_patch", {"id": package["items"][1]["id"], "sharing_type": "none"})
    package = make.act("package_show", {"id": package["id"]})
    _login(client, make.user("department", unit))
    page = f"/resources/{package['name']}/edit"
    form = {"csrf_token": _csrf(client, page), "version": str(package["version"]), "title": package["title"],
            "sharing_type": package["sharing_type"], "sharing_method": package["sharing_method"],
            "update_cycle": package["update_cycle"], "description": "补充说明",
            "item_name": [i["name"] for i in package["items"]], "item_type": ["C", "C"], "item_length": ["50", "50"]}
    assert client.post(page, data=form).status_code == 302
    saved = make.act("package_show", {"id": package["id"]})
    assert saved["notes"] == "补充说明"
    assert [(i["name"], i["sharing_type"]) for i in saved["items"]] == [("姓名", None), ("宗教信仰", "none")]
