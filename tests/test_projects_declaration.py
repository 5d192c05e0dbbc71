"""Attachment 1 round trip (import → record → export → import) and the project pages over HTTP."""
import re
from datetime import date

from openpyxl import load_workbook

from importers.declaration_form import read_declaration, write_declaration
from registry.core import clock
from tests.projects_support import Api, declaration

FORM = {"applicant_unit": "县卫生健康委员会", "declared_on": "2026-09-12", "project_name": "全民健康信息平台",
        "project_type": "expansion", "owner": "县卫生健康委", "competent_department": "县卫生健康委员会",
        "leader_name": "王明", "leader_phone": "023-55100001", "contact_name": "李华", "contact_phone": "13800000000",
        "background": "渝卫发〔2025〕12号", "cost_estimate": "320.5万元", "preparation": "已完成可研",
        "schedule": "2027年完成建设", "has_feasibility_report": True, "has_budget_detail": True,
        "other_attachments": "专家论证意见", "remarks": "续报", "filled_by": "张三", "filled_by_phone": "13900000000"}


def login(client, user):
    with client.session_transaction() as session:
        session["user_id"] = user["id"]


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_a_declaration_form_round_trips_through_a_project_record(make, client, tmp_path):
    unit = make.unit(name="县卫生健康委", code="wjw")
    dept = make.user("department", unit)
    api = Api(client, {"dept": make.token(dept)})
    source = tmp_path / "申报表.xlsx"
    write_declaration(FORM, source)
    with open(source, "rb") as fh:
        response = client.post("/api/3/action/project_import_declaration", headers={"Authorization": api.tokens["dept"]},
                               data={"upload": (fh, "申报表.xlsx")}, content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 200, body
    p = body["result"]
    assert (p["name"], p["kind"], p["unit_id"], p["estimate_yuan"]) == ("全民健康信息平台", "expansion", str(unit["id"]), 3_205_000)
    assert p["materials"] == ["项目基本情况报告(可行性研究报告/技术方案)", "投资预算明细", "专家论证意见"]
    assert (p["leader"], p["contact_phone"], p["filler"], p["declared_on"]) == ("王明", "13800000000", "张三", "2026-09-12")
    with client.session_transaction() as session:  # the owning unit: its form comes back with the phone numbers
        session["user_id"] = dept["id"]
    exported = client.get(f"/projects/{p['id']}/declaration.xlsx")
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    target = tmp_path / "导出.xlsx"
    target.write_bytes(exported.data)
    load_workbook(target)  # a real workbook
    assert read_declaration(target) == FORM


def test_an_imported_form_updates_a_declared_project_and_a_bad_estimate_is_refused(make, client, tmp_path):
    unit = make.unit(name="县卫生健康委", code="wjw")
    api = Api(client, {"dept": make.token(make.user("department", unit))})
    p = api.ok("dept", "project_create", declaration(unit["id"]))
    path = tmp_path / "f.xlsx"
    write_declaration({**FORM, "cost_estimate": "约三百万"}, path)
    with open(path, "rb") as fh:
        response = client.post("/api/3/action/project_import_declaration", headers={"Authorization": api.tokens["dept"]},
                               data={"upload": (fh, "f.xlsx"), "id": str(p["id"])}, content_type="multipart/form-data")
    assert response.status_code == 409 and "经费估算“约三百万”无法识别" in response.get_json()["error"]["message"]
    write_declaration(FORM, path)
    with open(path, "rb") as fh:
        response = client.post("/api/3/action/project_import_declaration", headers={"Authorization": api.tokens["dept"]},
                               data={"upload": (fh, "f.xlsx"), "id": str(p["id"])}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_json()["result"]["id"] == p["id"]
    assert api.ok("dept", "project_show", {"id": p["id"]})["estimate_yuan"] == 3_205_000


def test_pages_list_declare_and_move_a_project(make, client):
    unit = make.unit(name="县卫生健康委", code="wjw")
    system = make.system(unit)
    make.package(system)
    login(client, make.user("department", unit))
    token = csrf(client, "/projects/new")
    response = client.post("/projects/new", data={
        "csrf_token": token, "unit": str(unit["id"]), "name": "页面申报的项目", "kind": "new", "estimate_yuan": "800000",
        "background": "工作需要", "contact": "李华", "crypto_plan": "国密", "systems": [str(system["id"])],
        "feasibility_chapters": ["data_governance", "data_sharing", "network_security", "crypto", "intensive"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "页面申报的项目" in html and "下一步：提交申报" in html and "80.00万元" in html
    pid = int(response.headers["Location"].rsplit("/", 1)[1])
    response = client.post(f"/projects/{pid}/do/project_list_submit",
                           data={"csrf_token": token, "year": str(clock.today().year + 2)})
    refused = client.post(f"/projects/{pid}/do/project_transition",
                          data={"csrf_token": token, "transition": "submit", "form": "transition-submit"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "申报表尚缺：行政主管部门、分管领导" in html and "申报日期" in html
    done = client.post(f"/projects/{pid}/edit", data={
        "csrf_token": token, "unit": str(unit["id"]), "name": "页面申报的项目", "kind": "new", "estimate_yuan": "800000",
        "background": "工作需要", "contact": "李华", "crypto_plan": "国密", "systems": [str(system["id"])],
        "competent_department": "县卫生健康委", "leader": "王明", "leader_phone": "023-55100001",
        "contact_phone": "13800000000", "preparation": "已完成需求调研", "schedule": "2027年建设",
        "materials": ["项目基本情况报告(可行性研究报告/技术方案)", "投资预算明细"], "filler": "张三",
        "filler_phone": "13900000000", "declaring_unit": "县卫生健康委", "declared_on": "2026-11-20",
        "feasibility_chapters": ["data_governance", "data_sharing", "network_security", "crypto", "intensive"]})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    response = client.post(f"/projects/{pid}/do/project_transition",
                           data={"csrf_token": token, "transition": "submit"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已完成：提交申报" in html and "技术审查（当前）" in html and "下一步：技术审查通过" in html
    response = client.post(f"/projects/{pid}/do/project_transition",
                           data={"csrf_token": token, "transition": "review_pass", "opinion": "同意"}, follow_redirects=True)
    assert "无权执行此操作" in response.get_data(as_text=True)  # a department cannot pass the review
    listing = client.get(f"/projects?year={clock.today().year + 2}&stage=tech_review").get_data(as_text=True)
    assert "页面申报的项目" in listing and 'href="/projects"' in listing and 'href="/due"' in listing
    assert client.get("/projects/import").status_code == 200
    assert client.get(f"/projects/{pid}/edit").status_code == 200
    assert client.get("/projects/99999").status_code == 404


def test_the_declaration_form_page_shows_field_errors(make, client):
    unit = make.unit()
    login(client, make.user("department", unit))
    token = csrf(client, "/projects/new")
    response = client.post("/projects/new", data={"csrf_token": token, "unit": str(unit["id"]), "name": "",
                                                  "kind": "", "estimate_yuan": "很多"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "项目名称为必填项" in html and "经费估算（元）必须是整数" in html
