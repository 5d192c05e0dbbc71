"""The master directory (decisions with history, lists, export) and evidence records (service,
upload, limits, download rights)."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage

from registry.core import clock
from registry.core.errors import Conflict, NotAuthorized, NotFound, ValidationFailed
from registry.funding.evidence import add_evidence


def test_directory_decide_keeps_its_payload_and_now_writes_history(make):
    system = make.system()
    make.act("directory_decide", {"id": system["id"], "in_directory": True, "decided_on": "2025-03-01", "reason": "纳入"})
    make.act("directory_decide", {"id": system["id"], "in_directory": False, "decided_on": "2026-03-01", "reason": "停用"})
    history = make.act("directory_history", {"id": system["id"]})
    assert [(h["kind"], h["effective_on"], h["reason"]) for h in history] == [
        ("admit", "2025-03-01", "纳入"), ("retire", "2026-03-01", "停用")]
    shown = make.act("group_show", {"id": system["id"]})
    assert shown["in_directory"] is False and shown["directory_date"] == "2026-03-01"


def test_admit_retire_merge_change_state_and_refuse_what_makes_no_sense(make):
    unit = make.unit()
    a, b = make.system(unit), make.system(unit)
    make.act("directory_admit", {"id": a["id"], "reason": "r"})
    with pytest.raises(Conflict):
        make.act("directory_admit", {"id": a["id"], "reason": "r"})
    with pytest.raises(ValidationFailed):
        make.act("directory_merge", {"id": a["id"], "into": a["id"], "reason": "r"})
    merged = make.act("directory_merge", {"id": a["id"], "into": b["id"], "reason": "整合"})
    assert merged["status"] == "merged" and merged["in_directory"] is False
    assert merged["event"]["merged_into_name"] == b["title"]
    with pytest.raises(Conflict):
        make.act("directory_retire", {"id": a["id"], "reason": "r"})
    audit = make.act("audit_log_list", {"entity_type": "system", "entity_id": a["id"]})
    assert {"directory_admit", "directory_merge"} <= {row["action"] for row in audit}


def test_directory_list_filters_and_lists_missing_systems(make):
    unit, other = make.unit(), make.unit()
    inside = make.system(unit)
    missing = make.system(unit)
    merged = make.system(other)
    make.act("directory_admit", {"id": inside["id"], "reason": ""})
    make.act("directory_merge", {"id": merged["id"], "into": inside["id"], "reason": ""})
    listed = make.act("directory_list", {"missing": True})
    assert [r["id"] for r in listed["results"]] == [missing["id"]], "merged systems are not missing"
    assert make.act("directory_list", {"unit": other["code"]})["results"][0]["merged_into"]["id"] == inside["id"]
    assert make.act("directory_list", {"in_directory": True})["count"] == 1
    assert make.act("directory_list", {"status": "merged"})["count"] == 1


def test_directory_export_is_a_real_workbook(make, reg, app, client):
    system = make.system(name="户政管理信息系统")
    make.act("directory_admit", {"id": system["id"], "reason": ""})
    _login(client, make.user("reviewer"))
    response = client.get("/directory.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws["B1"].value == "信息系统" and ws["B2"].value == "户政管理信息系统" and ws["D2"].value == "是"


def _login(client, user):
    with client.session_transaction() as session:
        session["user_id"] = user["id"]


# ---- evidence ------------------------------------------------------------------------------------

def test_add_evidence_service_signature_used_by_projects(reg, make):
    system = make.system()
    with reg.db.unit_of_work() as session:
        from registry.cli import CliActor
        ctx = reg.context(session, CliActor())
        row = add_evidence(ctx, kind="completion_acceptance", system_id=system["id"], result="passed",
                           issued_on=date(2026, 5, 1), reference="云阳验〔2026〕1号", source="project:7")
        archive = add_evidence(ctx, kind="archive_acceptance", system_id=system["id"])
    assert row["kind_label"] == "竣工验收" and row["source"] == "project:7" and row["article_text"] == "第二十五条"
    assert archive["issued_on"] == clock.today().isoformat()
    assert make.act("evidence_show", {"id": row["id"]})["reference"] == "云阳验〔2026〕1号"


@pytest.mark.parametrize("data, field", [
    ({"kind": "nonsense"}, "kind"),
    ({"kind": "crypto_assessment", "result": "passed"}, "valid_until"),
    ({"kind": "crypto_assessment", "result": "approved"}, "result"),
    ({"kind": "security_test", "issued_on": "2026-05-01", "valid_until": "2026-04-01"}, "valid_until"),
])
def test_evidence_validation_names_the_field_in_chinese(make, data, field):
    system = make.system()
    with pytest.raises(ValidationFailed) as info:
        make.act("evidence_create", {"system": system["id"], **data})
    assert field in info.value.errors and any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)


def test_result_labels_in_chinese_are_accepted(make):
    system = make.system()
    row = make.act("evidence_create", {"kind": "sharing_status", "system": system["id"], "result": "未接入"})
    assert row["result"] == "not_connected"


def _upload(name="验收报告.pdf", body=b"%PDF-1.4 test"):
    return FileStorage(stream=io.BytesIO(body), filename=name)


def test_uploaded_file_is_stored_with_a_random_name_and_downloaded_only_with_read_rights(reg, make, client):
    unit = make.unit()
    system = make.system(unit)
    row = reg.run_action("evidence_create", make.user("bureau")["id"],
                         {"kind": "completion_acceptance", "system": system["id"], "upload": _upload()})
    assert row["has_file"] and row["file_name"] == "验收报告.pdf"
    stored = list((reg.settings.instance_path and __import__("pathlib").Path(reg.settings.instance_path) / "evidence").iterdir())
    assert any(p.read_bytes() == b"%PDF-1.4 test" and "验收" not in p.name for p in stored)
    assert client.get(f"/funding/evidence/{row['id']}/file").status_code == 302  # to the login page
    _login(client, make.user("department", make.unit()))
    assert client.get(f"/funding/evidence/{row['id']}/file").status_code == 403
    _login(client, make.user("department", unit))
    response = client.get(f"/funding/evidence/{row['id']}/file")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 test"


@pytest.mark.parametrize("name, body, message", [
    ("run.exe", b"MZ", "不支持的文件类型"),
    ("big.pdf", b"x" * (5 * 1024 * 1024 + 1), "文件超过上限 5 MB"),
    ("empty.pdf", b"", "空文件"),
])
def test_upload_type_and_size_are_limited(reg, make, name, body, message):
    system = make.system()
    with pytest.raises(ValidationFailed) as info:
        make.act("evidence_create", {"kind": "archive_acceptance", "system": system["id"], "upload": _upload(name, body)})
    assert message in info.value.message


def test_evidence_upload_through_the_api_multipart(reg, make, client):
    system = make.system()
    token = make.token(make.user("bureau"))
    response = client.post("/api/action/evidence_create", headers={"Authorization": token},
                           data={"kind": "security_test", "system": str(system["id"]), "valid_until": "2027-12-31",
                                 "upload": (io.BytesIO(b"%PDF scan"), "测评报告.pdf")},
                           content_type="multipart/form-data")
    body = response.get_json()
    assert body["success"], body
    assert body["result"]["has_file"] and body["result"]["valid_until"] == "2027-12-31"


def test_department_files_its_own_acceptance_but_not_a_risk_or_another_unit(reg, make):
    unit = make.unit()
    system, foreign = make.system(unit), make.system()
    dept = make.user("department", unit)["id"]
    reg.run_action("evidence_create", dept, {"kind": "completion_acceptance", "system": system["id"]})
    with pytest.raises(NotAuthorized):
        reg.run_action("evidence_create", dept, {"kind": "major_risk", "system": system["id"]})
    with pytest.raises(NotAuthorized):
        reg.run_action("evidence_create", dept, {"kind": "completion_acceptance", "system": foreign["id"]})
    assert reg.run_action("evidence_list", dept, {})["count"] == 1
    with pytest.raises(NotAuthorized):
        reg.run_action("evidence_list", dept, {"system": foreign["id"]})


def test_only_closable_evidence_closes_once(make):
    system = make.system()
    risk = make.act("evidence_create", {"kind": "major_risk", "system": system["id"], "result": "open"})
    closed = make.act("evidence_close", {"id": risk["id"], "closed_on": "2026-10-01"})
    assert closed["result"] == "closed" and closed["closed_on"] == "2026-10-01"
    with pytest.raises(Conflict):
        make.act("evidence_close", {"id": risk["id"]})
    acceptance = make.act("evidence_create", {"kind": "archive_acceptance", "system": system["id"]})
    with pytest.raises(Conflict):
        make.act("evidence_close", {"id": acceptance["id"]})
    with pytest.raises(NotFound):
        make.act("evidence_close", {"id": 999999})
