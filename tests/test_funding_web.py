"""Finance's and the Bureau's funding pages over real HTTP (test client, CSRF on)."""
import io
import re

from tests.funding_support import compliant_system
from tests.test_funding_budget import LINES, budget_workbook


def login(client, user):
    with client.session_transaction() as session:
        session["user_id"] = user["id"]


def csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_decision_page_lists_every_reason_with_its_article_and_evidence(make, client):
    system = make.system(name="户政管理信息系统")
    login(client, make.user("finance"))
    html = client.get(f"/funding/systems/{system['code']}?year=2027").get_data(as_text=True)
    assert "不予安排运行维护经费" in html
    assert "依据《管理办法》第二十八条" in html and "第二十五条" in html and "第二十九条" in html
    assert "缺少：总目录纳入记录" in html
    assert 'href="/directory"' in html and "运维经费审核" in html, "finance sees the nav links"


def test_bureau_uploads_evidence_and_decides_directory_through_the_page(make, client):
    system = make.system(name="户政管理信息系统")
    login(client, make.user("bureau"))
    page = f"/funding/systems/{system['code']}"
    token = csrf(client, page)
    assert 'data-confirm="确认提交总目录决定？"' in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/directory", data={"csrf_token": token, "kind": "admit", "decided_on": "2025-01-01",
                                                       "reason": "纳入"}, follow_redirects=True)
    assert "已纳入总目录：户政管理信息系统" in response.get_data(as_text=True)
    response = client.post(f"{page}/evidence", data={"csrf_token": token, "kind": "completion_acceptance",
                                                      "result": "passed", "issued_on": "2025-06-01",
                                                      "upload": (io.BytesIO(b"%PDF"), "竣工验收.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已登记竣工验收（通过）" in html and "竣工验收.pdf" in html


def test_directory_page_filters_missing_systems(make, client):
    inside = make.system(name="在目录系统")
    make.system(name="漏报系统")
    make.act("directory_admit", {"id": inside["id"], "reason": ""})
    login(client, make.user("reviewer"))
    html = client.get("/directory?missing=1").get_data(as_text=True)
    assert "漏报系统" in html and "在目录系统" not in html


def test_finance_uploads_a_budget_list_reviews_and_confirms_a_match(make, client, tmp_path):
    unit = make.unit(code="mzj", name="云阳县民政局")
    target = compliant_system(make, unit, name="殡葬管理服务系统")
    path = budget_workbook(tmp_path / "b.xlsx", [LINES[5], LINES[-1]])
    login(client, make.user("finance"))
    token = csrf(client, "/funding/budget")
    response = client.post("/funding/budget", data={"csrf_token": token, "year": "2027",
                                                    "upload": (path.open("rb"), "预算.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已读取 2 行" in html and "殡葬管理服务系统" in html and "未纳入政务信息系统总目录" in html
    line_id = int(re.search(r'id="line-(\d+)"', html).group(1))
    run_id = int(re.search(r"清单 #(\d+)", html).group(1))
    response = client.post(f"/funding/budget/lines/{line_id}/confirm",
                           data={"csrf_token": token, "system": str(target["id"]), "run": str(run_id)},
                           follow_redirects=True)
    assert "已保存匹配确认" in response.get_data(as_text=True) and "已确认" in response.get_data(as_text=True)


def test_bad_budget_file_shows_every_problem_on_the_page(make, client, tmp_path):
    path = budget_workbook(tmp_path / "bad.xlsx", [("单位", "", 1)])
    login(client, make.user("finance"))
    token = csrf(client, "/funding/budget")
    response = client.post("/funding/budget", data={"csrf_token": token, "year": "2027",
                                                    "upload": (path.open("rb"), "bad.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "系统名称不能为空" in response.get_data(as_text=True)


def test_department_cannot_open_the_finance_pages(make, client):
    login(client, make.user("department", make.unit()))
    assert client.get("/funding/budget").status_code == 403
