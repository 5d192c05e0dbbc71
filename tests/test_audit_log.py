"""Every write is in the audit log with before and after values."""
def audit_rows(reg, **filters):
    return reg.run_action("audit_log_list", _bureau(reg), filters)


def _bureau(reg):
    from registry.cli import CliActor
    return CliActor()


def test_create_update_delete_of_a_resource_are_logged_with_before_and_after(reg, make):
    pkg = make.package(items=("姓名",))
    make.act("package_patch", {"id": pkg["id"], "sharing_type": "unconditional", "update_cycle": "每月"})
    make.act("package_delete", {"id": pkg["id"]})
    rows = audit_rows(reg, entity_type="resource", entity_id=pkg["id"])
    assert [r["action"] for r in rows] == ["package_delete", "package_patch", "package_create"]
    delete, patch, create = rows
    assert create["before"] is None and create["after"]["title"] == pkg["title"]
    assert patch["before"] == {"sharing_type": "conditional", "update_cycle": "daily"}
    assert patch["after"] == {"sharing_type": "unconditional", "update_cycle": "monthly"}
    assert delete["after"] is None and delete["before"]["items"][0]["name"] == "姓名"
    assert all(r["username"].startswith("cli:") for r in rows)


def test_item_and_unit_and_system_writes_are_logged(reg, make):
    pkg = make.package(items=("姓名",))
    item = pkg["items"][0]
    make.act("item_patch", {"id": item["id"], "data_length": 30})
    make.act("system_patch", {"id": pkg["system_id"], "description": "新说明"})
    make.act("unit_patch", {"id": pkg["owner_org"], "description": "单位说明"})
    entries = {r["action"]: r for r in audit_rows(reg)}
    assert entries["item_patch"]["before"] == {"data_length": 50} and entries["item_patch"]["after"] == {"data_length": 30}
    assert entries["system_patch"]["after"] == {"description": "新说明"}
    assert entries["unit_patch"]["after"] == {"description": "单位说明"}
    assert {"unit_create", "system_create", "package_create"} <= set(entries)


def test_a_failed_write_leaves_no_audit_row(reg, make):
    import pytest

    from registry.core.errors import ValidationFailed
    pkg = make.package()
    count = len(audit_rows(reg))
    with pytest.raises(ValidationFailed):
        make.act("package_patch", {"id": pkg["id"], "sharing_type": "bad"})
    assert len(audit_rows(reg)) == count


def test_stale_version_is_refused_with_a_conflict(reg, make):
    import pytest

    from registry.core.errors import Conflict
    pkg = make.package()
    make.act("package_patch", {"id": pkg["id"], "description": "第一次", "version": pkg["version"]})
    with pytest.raises(Conflict) as caught:
        make.act("package_patch", {"id": pkg["id"], "description": "第二次", "version": pkg["version"]})
    assert "已被他人修改" in caught.value.message
