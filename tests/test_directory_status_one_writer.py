"""A system's 整合 (merged) status is one fact with one writer: the master directory's decision.
A department's catalog write can neither set it nor undo it."""
from __future__ import annotations

import pytest

from registry.core.errors import ValidationFailed


def _admitted_system(make):
    unit = make.unit()
    system = make.system(unit)
    bureau = make.user("bureau")
    make.act("directory_admit", {"id": system["id"], "reason": "纳入"}, bureau["id"])
    return unit, system, bureau


@pytest.mark.parametrize("action", ["system_patch", "system_update"])
def test_a_department_cannot_set_its_admitted_system_to_merged(make, action):
    unit, system, _ = _admitted_system(make)
    department = make.user("department", unit)
    with pytest.raises(ValidationFailed) as refused:
        make.act(action, {"id": system["id"], "name": system["title"], "status": "merged"}, department["id"])
    assert "第二十八条" in refused.value.errors["status"][0]
    shown = make.act("group_show", {"id": system["id"]})
    assert (shown["status"], shown["in_directory"]) == ("running", True)


def test_a_system_cannot_be_registered_as_merged(make):
    unit = make.unit()
    with pytest.raises(ValidationFailed):
        make.act("system_create", {"unit": unit["id"], "name": "新系统", "status": "merged"},
                 make.user("department", unit)["id"])


def test_a_merged_system_keeps_the_directorys_decision_through_catalog_edits(make):
    unit, system, bureau = _admitted_system(make)
    target = make.system(unit)
    make.act("directory_merge", {"id": system["id"], "into": target["id"], "reason": "整合"}, bureau["id"])
    department = make.user("department", unit)

    with pytest.raises(ValidationFailed):
        make.act("system_patch", {"id": system["id"], "status": "running"}, department["id"])
    saved = make.act("system_update", {"id": system["id"], "name": system["title"], "description": "新说明"},
                     department["id"])
    assert (saved["status"], saved["in_directory"], saved["description"]) == ("merged", False, "新说明")
