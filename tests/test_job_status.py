"""Long actions started from a page run in the background with a status page (registry/core/jobs.py):
over real HTTP against the live server, on the test database (SQLite or PostgreSQL)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests
from sqlalchemy import select

from registry.core import jobs
from registry.core.jobs_model import Job
from tests.factories import PASSWORD

JOB_URL = re.compile(r"/jobs/([0-9a-f]{32})$")


def signed_in(live_url: str, username: str) -> requests.Session:
    http = requests.Session()
    http.post(live_url + "/login", data={"username": username, "password": PASSWORD,
                                         "csrf_token": csrf(http.get(live_url + "/login").text)})
    return http


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def start_scan(http: requests.Session, live_url: str) -> requests.Response:
    page = http.get(live_url + "/duplicates")
    assert "重新扫描全部信息项" in page.text
    return http.post(live_url + "/duplicates/scan", data={"csrf_token": csrf(page.text)}, allow_redirects=False)


def token_of(response: requests.Response) -> str:
    assert response.status_code == 302, response.text
    return JOB_URL.search(response.headers["Location"]).group(1)


def county(make):
    police, civil = make.unit(code="gaj", name="云阳县公安局"), make.unit(code="mzj", name="云阳县民政局")
    make.package(make.system(police, name="户政管理信息系统"), items=("公民身份号码", "姓名"))
    make.package(make.system(civil, name="低保救助管理信息系统"), items=("身份证号码", "姓名", "联系电话"))


def test_a_scan_started_from_the_duplicates_page_runs_in_the_background_to_its_result(live_url, make, reg):
    county(make)
    bureau = make.user("bureau")
    http = signed_in(live_url, bureau["username"])
    token = token_of(start_scan(http, live_url))
    jobs.wait(token, 300)

    status = http.get(f"{live_url}/jobs/{token}/status.json").json()
    assert status["state"] == "done" and status["state_label"] == "已完成" and status["finished"]
    assert status["label"] == "映射信息项" and status["done"] == status["total"] == 5 and status["percent"] == 100
    page = http.get(f"{live_url}/jobs/{token}").text
    assert "扫描完成：2 项信息资源，5 个信息项；发现线索" in page
    assert "阶段：<span id=\"job-label\">映射信息项</span>" in page and "已完成 <span id=\"job-done\">5</span>" in page
    assert 'http-equiv="refresh"' not in page  # a finished job's page stays put
    with reg.db.unit_of_work() as session:
        job = session.scalar(select(Job).where(Job.token == token))
        assert (job.state, job.running_key, job.username, job.result["items"]) == ("done", None, bureau["username"], 5)


def test_a_running_job_shows_stage_count_and_percentage_and_refreshes_itself(live_url, make, reg):
    bureau = make.user("bureau")
    token = reg.run_action("job_start", bureau["id"], {"action": "duplicate_scan"})["token"]
    progress = jobs.JobProgress(reg, token)   # the channel the action writes to while it runs
    try:
        progress.start(200, "映射信息项")
        progress.advance(50)
        http = signed_in(live_url, bureau["username"])
        status = http.get(f"{live_url}/jobs/{token}/status.json").json()
        assert (status["state_label"], status["label"], status["done"], status["total"], status["percent"]) == \
            ("进行中", "映射信息项", 50, 200, 25)
        page = http.get(f"{live_url}/jobs/{token}").text
        assert '<progress id="job-bar" max="100" value="25"' in page
        assert "已完成 <span id=\"job-done\">50</span> / <span id=\"job-total\">200</span>，<span id=\"job-percent\">25</span>%" in page
        assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page  # without JavaScript
        if not reg.db.is_sqlite:  # PostgreSQL: the row itself carries the progress (SQLite: at the end)
            with reg.db.unit_of_work() as session:
                job = session.scalar(select(Job).where(Job.token == token))
                assert (job.label, job.total) == ("映射信息项", 200)
    finally:
        jobs._live.pop(token, None)


def test_a_second_scan_joins_the_running_one_for_its_starter_and_admins_and_is_refused_to_others(live_url, make, reg):
    bureau, colleague, admin = make.user("bureau"), make.user("bureau"), make.user("admin")
    token = reg.run_action("job_start", bureau["id"], {"action": "duplicate_scan"})["token"]
    jobs.JobProgress(reg, token).start(10, "映射信息项")
    try:
        again = start_scan(signed_in(live_url, bureau["username"]), live_url)
        assert token_of(again) == token   # joined: the same status page
        assert token_of(start_scan(signed_in(live_url, admin["username"]), live_url)) == token
        other = signed_in(live_url, colleague["username"])
        refused = start_scan(other, live_url)
        assert refused.headers["Location"].endswith("/duplicates")
        page = other.get(live_url + "/duplicates").text
        assert f"重复采集扫描正在进行（{bureau['username']} 于 " in page and "请等它完成后再开始" in page
    finally:
        jobs._live.pop(token, None)


def test_only_the_user_who_started_a_job_and_administrators_see_it(live_url, make, reg):
    unit = make.unit()
    bureau, colleague, admin = make.user("bureau"), make.user("bureau"), make.user("admin")
    department = make.user("department", unit)
    token = token_of(start_scan(signed_in(live_url, bureau["username"]), live_url))
    jobs.wait(token, 300)
    for user, seen in ((bureau, 200), (admin, 200), (colleague, 404), (department, 404)):
        http = signed_in(live_url, user["username"])
        assert http.get(f"{live_url}/jobs/{token}").status_code == seen, user["role"]
        assert http.get(f"{live_url}/jobs/{token}/status.json").status_code == seen
    anonymous = requests.get(f"{live_url}/jobs/{token}", allow_redirects=False)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # and a department may not start one at all
    assert "重新扫描全部信息项" not in signed_in(live_url, department["username"]).get(live_url + "/duplicates").text


def test_a_job_whose_server_process_stopped_shows_as_interrupted_and_a_new_scan_starts(live_url, make, reg,
                                                                                        database_url, tmp_path):
    county(make)
    bureau = make.user("bureau")
    # Another server process records a job and stops before finishing it (a restart).
    env = {**os.environ, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_INSTANCE_PATH": str(tmp_path)}
    script = ("from registry.cli import make_registry; "
              f"print(make_registry().run_action('job_start', {bureau['id']}, {{'action': 'duplicate_scan'}})['token'])")
    token = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True,
                           text=True).stdout.strip()
    http = signed_in(live_url, bureau["username"])
    status = http.get(f"{live_url}/jobs/{token}/status.json").json()
    assert (status["state"], status["state_label"], status["finished"]) == ("interrupted", "已中断", True)
    page = http.get(f"{live_url}/jobs/{token}").text
    assert "已中断：任务所在的服务进程已停止（例如服务重启），任务没有完成" in page
    assert "Traceback" not in page and 'http-equiv="refresh"' not in page

    fresh = token_of(start_scan(http, live_url))   # the stopped job blocks nothing
    assert fresh != token
    jobs.wait(fresh, 300)
    assert http.get(f"{live_url}/jobs/{fresh}/status.json").json()["state"] == "done"
    with reg.db.unit_of_work() as session:
        assert session.scalar(select(Job.state).where(Job.token == token)) == "interrupted"


def test_an_administrator_rebuilds_the_index_from_the_administration_page(live_url, make, reg):
    county(make)
    admin = make.user("admin")
    http = signed_in(live_url, admin["username"])
    page = http.get(live_url + "/admin/")
    assert "重建检索索引" in page.text
    token = token_of(http.post(live_url + "/admin/reindex", data={"csrf_token": csrf(page.text)},
                               allow_redirects=False))
    jobs.wait(token, 300)
    result = http.get(f"{live_url}/jobs/{token}").text
    assert "已完成" in result and "索引已重建：2 项信息资源" in result


@pytest.mark.parametrize("role", ["finance", "reviewer"])
def test_who_may_not_run_an_action_may_not_start_it_as_a_job(make, reg, role):
    from registry.core.errors import NotAuthorized
    user = make.user(role)
    for name in ("duplicate_scan", "search_reindex"):
        with pytest.raises(NotAuthorized):
            reg.run_action("job_start", user["id"], {"action": name})


def test_a_department_exports_its_catalog_in_the_background_and_downloads_the_workbook(live_url, make, reg,
                                                                                       tmp_path):
    from openpyxl import load_workbook
    police = make.unit(code="gaj", name="云阳县公安局")
    make.package(make.system(police, name="户政管理信息系统"), items=("公民身份号码", "姓名"))
    user = make.user("department", police)
    http = signed_in(live_url, user["username"])
    page = http.get(f"{live_url}/units/{police['name']}").text
    assert "后台导出（查看进度）" in page
    token = token_of(http.post(live_url + "/export/catalog", data={"csrf_token": csrf(page), "unit": police["name"]},
                               allow_redirects=False))
    jobs.wait(token, 300)
    status = http.get(f"{live_url}/jobs/{token}").text
    assert "已完成" in status and "已导出 1 个单位、1 个系统、1 项信息资源、2 个信息项" in status
    assert "阶段：<span id=\"job-label\">导出信息资源</span>" in status   # progress: resources written
    assert "已完成 <span id=\"job-done\">1</span> / <span id=\"job-total\">1</span>" in status
    download = http.get(f"{live_url}/jobs/{token}/workbook.xlsx")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    (tmp_path / "export.xlsx").write_bytes(download.content)
    sheet = load_workbook(tmp_path / "export.xlsx", read_only=True).worksheets[0]
    assert any("公民身份号码" in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    other = signed_in(live_url, make.user("department", make.unit())["username"])
    assert other.get(f"{live_url}/jobs/{token}/workbook.xlsx").status_code == 404   # the starter's only
