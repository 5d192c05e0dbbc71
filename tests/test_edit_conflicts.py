"""Two editors of the same record over the HTTP API: the second write, made over a version it did
not see, gets a 409 naming who changed what (read value and current value), and nothing is lost."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from registry.core.errors import Conflict
from registry.catalog.models import InformationItem


def _post(client, name: str, token: str, body: dict):
    return client.post(f"/api/3/action/{name}", json=body, headers={"Authorization": token})


def test_second_editor_gets_409_with_the_fields_the_first_changed(client, make):
    unit = make.unit()
    package = make.package(make.system(unit))
    alice, bob = make.user("department", unit, "alice"), make.user("department", unit, "bob")
    tok_a, tok_b = make.token(alice), make.token(bob)
    item = package["items"][0]
    read = _post(client, "item_patch", tok_a, {"id": item["id"], "position": item["position"]}).get_json()["result"]
    version = read["version"]

    first = _post(client, "item_patch", tok_a, {"id": item["id"], "version": version,
                                                 "name": "姓名 中文", "data_length": 80})
    assert first.status_code == 200, first.get_json()
    second = _post(client, "item_patch", tok_b, {"id": item["id"], "version": version, "data_length": 20})

    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["__type"] == "Validation Error"
    assert "alice" in error["message"] and "name" in error["message"] and "data_length" in error["message"]
    changes = error["changes"]
    assert changes["read_version"] == version and changes["current_version"] == version + 1
    assert changes["fields"]["name"] == {"read": item["name"], "current": "姓名 中文"}
    assert changes["fields"]["data_length"] == {"read": 50, "current": 80}
    assert [e["username"] for e in changes["edits"]] == ["alice"]
    shown = _post(client, "package_show", tok_b, {"id": package["id"]}).get_json()["result"]
    assert next(i for i in shown["items"] if i["id"] == str(item["id"]))["data_length"] == 80  # bob wrote nothing


def test_conflict_lists_only_fields_still_different_after_several_edits(client, make):
    unit = make.unit()
    package = make.package(make.system(unit))
    editor = make.user("department", unit)
    token = make.token(editor)
    res = package
    for title in ("临时名称", package["title"]):  # changed, then changed back
        res = _post(client, "package_patch", token, {"id": package["id"], "title": title}).get_json()["result"]
    res = _post(client, "package_patch", token, {"id": package["id"], "update_cycle": "monthly"}).get_json()["result"]

    stale = _post(client, "package_patch", token, {"id": package["id"], "version": package["version"],
                                                    "description": "x"})
    changes = stale.get_json()["error"]["changes"]
    assert stale.status_code == 409
    assert set(changes["fields"]) == {"update_cycle"}
    assert len(changes["edits"]) == 3 and changes["current_version"] == res["version"]


def test_write_with_current_version_succeeds(client, make):
    unit = make.unit()
    editor = make.user("department", unit)
    token = make.token(editor)
    system = make.system(unit)
    ok = _post(client, "system_patch", token, {"id": system["id"], "version": system["version"], "description": "新"})
    assert ok.status_code == 200 and ok.get_json()["result"]["version"] == system["version"] + 1


def _lose_the_race_once(reg, item_id: int):
    """Another transaction changes the item between the action's read and its UPDATE (PostgreSQL
    lets a second writer commit there; SQLite serialises writers, so the race cannot happen)."""
    if reg.db.is_sqlite:
        pytest.skip("SQLite takes the write lock before the first read (BEGIN IMMEDIATE): no lost write race")

    def meanwhile(_mapper, _connection, target):
        with reg.db.engine.begin() as other:
            other.execute(text("UPDATE information_item SET version = version + 1, data_length = 11 WHERE id = :id"),
                          {"id": target.id})
    event.listen(InformationItem, "before_update", meanwhile, once=True)
    return lambda: event.contains(InformationItem, "before_update", meanwhile) and \
        event.remove(InformationItem, "before_update", meanwhile)


def test_an_edit_without_a_version_that_loses_a_write_race_is_applied_to_the_latest_record(reg, make):
    item = make.package(make.system(make.unit()))["items"][0]
    cleanup = _lose_the_race_once(reg, item["id"])
    try:
        result = make.act("item_patch", {"id": item["id"], "data_length": 42})
    finally:
        cleanup()
    assert result["data_length"] == 42 and result["version"] == item["version"] + 2


def test_an_edit_naming_its_version_that_loses_a_write_race_gets_the_conflict(reg, make):
    package = make.package(make.system(make.unit()))
    item = package["items"][0]
    cleanup = _lose_the_race_once(reg, item["id"])
    try:
        with pytest.raises(Conflict):
            make.act("item_patch", {"id": item["id"], "version": item["version"], "data_length": 42})
    finally:
        cleanup()
    shown = make.act("package_show", {"id": package["id"]})
    assert next(i for i in shown["items"] if i["id"] == item["id"])["data_length"] == 11  # the other writer's
