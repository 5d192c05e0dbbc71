"""The outside probe's smaller findings, each reproduced: the login's `next` stays on this site and
never breaks the redirect; funding_report for a budget run answers."""
from __future__ import annotations

import re

import pytest
from openpyxl import Workbook

from registry.funding.storage import LocalUpload
from tests.factories import PASSWORD
from tests.funding_support import compliant_system


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("next_value, expected", [
    ("/%09/evil.example/", "/"),
    ("/%0A/evil.example/", "/"),
    ("/%0D%0ASet-Cookie:%20x=1", "/"),
    ("//evil.example/", "/"),
    ("/%5Cevil.example/", "/"),
    ("https://evil.example/", "/"),
    ("/resources?q=%E8%BA%AB%E4%BB%BD", "/resources?q=%E8%BA%AB%E4%BB%BD"),
])
def test_login_next_stays_on_this_site_and_never_fails(client, make, next_value, expected):
    make.user("bureau", username="next-user")
    token = _csrf(client.get("/login"))
    answer = client.post(f"/login?next={next_value}", data={"username": "next-user", "password": PASSWORD,
                                                           "csrf_token": token})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location == expected or (expected == "/" and location in ("/", "http://localhost/"))
    assert not location.startswith("//") and "evil.example" not in location


def test_funding_report_of_a_budget_run_answers_every_line(make, tmp_path):
    unit = make.unit(code="gaj", name="云阳县公安局")
    compliant_system(make, unit, name="户政管理信息系统")
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "申报单位", "系统名称", "申请金额（元）"])
    ws.append([1, "云阳县公安局", "户政管理信息系统", 380000])
    ws.append([2, "云阳县公安局", "智慧停车管理平台", 180000])
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    run = make.act("budget_upload", {"year": 2027, "upload": LocalUpload(path, path.name)})
    report = make.act("funding_report", {"run": run["id"]})
    assert report["count"] == 2 and len(report["lines"]) == 2
    assert make.act("funding_report", {"run": run["id"], "as_of": "2026-11-01"})["count"] == 2
