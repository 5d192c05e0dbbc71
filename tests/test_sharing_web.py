"""Sharing pages over real HTTP (test client with CSRF on) and the `registry sharing overdue` command."""
import re
from datetime import date

from click.testing import CliRunner

from tests.factories import PASSWORD
from tests.sharing_helpers import PROVIDER_PHONE, backdate, county, request_payload, sreg  # noqa: F401


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(page)})
    assert response.status_code in (302, 303)


def test_request_form_answer_and_provider_details_through_the_pages(app, sreg, make, county):  # noqa: F811
    make.act("sharing_contact_set", {"resource": county["people"]["id"], "contact_person": "张警官",
                                     "contact_phone": PROVIDER_PHONE})
    civil_user, police_user = make.user("department", county["civil"]), make.user("department", county["police"])
    requester, provider = app.test_client(), app.test_client()
    login(requester, civil_user["username"])
    login(provider, police_user["username"])

    page = requester.get(f"/resources/{county['people']['name']}").get_data(as_text=True)
    assert 'id="request-sharing"' in page and "申请共享" in page
    assert 'id="request-sharing"' not in provider.get(f"/resources/{county['people']['name']}").get_data(as_text=True)

    form = requester.get(f"/sharing/new?resource={county['people']['name']}").get_data(as_text=True)
    assert '<label for="purpose">用途 *</label>' in form and '<label for="scenario">应用场景 *</label>' in form
    item_id = county["people"]["items"][0]["id"]
    bad = requester.post(f"/sharing/new?resource={county['people']['name']}", data={
        "csrf_token": _csrf(form), "items": [str(item_id)], "requester_system": county["dibao"]["id"],
        "purpose": "", "scenario": "核验", "sharing_method": "platform"})
    assert bad.status_code == 422 and "用途不能为空" in bad.get_data(as_text=True)
    assert f'value="{item_id}" checked' in bad.get_data(as_text=True)  # the ticked item stays ticked
    done = requester.post(f"/sharing/new?resource={county['people']['name']}", data={
        "csrf_token": _csrf(form), "items": [str(item_id)], "requester_system": county["dibao"]["id"],
        "purpose": "低保核验", "scenario": "受理时核验", "sharing_method": "platform"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "已提交共享申请" in html and 'id="provider-details-hidden"' in html and PROVIDER_PHONE not in html
    request_id = int(re.search(r"共享申请 #(\d+)", html).group(1))

    queue = provider.get("/sharing/queue").get_data(as_text=True)
    assert f"#{request_id}" in queue
    page = provider.get(f"/sharing/requests/{request_id}").get_data(as_text=True)
    assert PROVIDER_PHONE in page and "提交答复" in page
    answered = provider.post(f"/sharing/requests/{request_id}", data={
        "csrf_token": _csrf(page), "op": "answer", "decision": "approve"}, follow_redirects=True)
    assert "已保存答复" in answered.get_data(as_text=True)

    html = requester.get(f"/sharing/requests/{request_id}").get_data(as_text=True)
    assert PROVIDER_PHONE in html and "已同意" in html
    inbox = requester.get("/inbox").get_data(as_text=True)
    assert "共享申请已答复" in inbox and '<label for="email">' in inbox


def test_finding_page_offers_the_prefilled_request(app, sreg, make, county):  # noqa: F811
    finding = next(f for f in make.act("duplicate_list", {"kind": "item", "rows": 100})["results"]
                   if f["element_name"] == "公民身份号码" and f["system_id"] == county["dibao"]["id"])
    make.act("duplicate_review", {"id": finding["id"], "decision": "confirm", "must_reuse_from": county["hukou"]["id"]})
    client = app.test_client()
    login(client, make.user("department", county["civil"])["username"])
    page = client.get(f"/duplicates/{finding['id']}").get_data(as_text=True)
    assert 'id="propose-sharing"' in page
    form = client.get(f"/sharing/new?finding={finding['id']}").get_data(as_text=True)
    item_id = county["people"]["items"][0]["id"]
    assert f'value="{item_id}" checked' in form and f'name="finding" value="{finding["id"]}"' in form


def test_finding_page_offers_a_request_only_where_the_request_can_be_made(app, sreg, make, county):  # noqa: F811
    finding = next(f for f in make.act("duplicate_list", {"kind": "item", "rows": 100})["results"]
                   if f["element_name"] == "公民身份号码" and f["system_id"] == county["dibao"]["id"])
    # the Bureau names a provider that holds none of the matched data: the request could not be drafted
    make.act("duplicate_review", {"id": finding["id"], "decision": "confirm", "must_reuse_from": county["trade"]["id"]})
    department, bureau = app.test_client(), app.test_client()
    login(department, make.user("department", county["civil"])["username"])
    login(bureau, make.user("bureau")["username"])
    assert 'id="propose-sharing"' not in department.get(f"/duplicates/{finding['id']}").get_data(as_text=True)
    make.act("duplicate_review", {"id": finding["id"], "decision": "confirm", "must_reuse_from": county["hukou"]["id"]})
    assert 'id="propose-sharing"' in department.get(f"/duplicates/{finding['id']}").get_data(as_text=True)
    assert 'id="propose-sharing"' not in bureau.get(f"/duplicates/{finding['id']}").get_data(as_text=True)


def test_bureau_overview_shows_per_unit_figures_and_overdue(app, sreg, make, county):  # noqa: F811
    req = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, req["id"], date(2026, 2, 13), date(2026, 3, 2))
    client = app.test_client()
    login(client, make.user("bureau")["username"])
    page = client.get("/sharing/overview").get_data(as_text=True)
    assert "云阳县公安局" in page and "按期答复率" in page and "答复用时中位数（工作日）" in page
    assert f"#{req['id']}" in page and "已超期" in page
    detail = client.get(f"/sharing/requests/{req['id']}").get_data(as_text=True)
    assert "大数据局协调" in detail and "data-confirm" in detail


def test_cli_lists_overdue_requests_as_a_unit_and_notifies(app, sreg, make, county, monkeypatch):  # noqa: F811
    from registry.cli import main
    req = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, req["id"], date(2026, 2, 13), date(2026, 3, 2))
    make.user("department", county["police"])
    monkeypatch.setattr("registry.cli.make_registry", lambda: sreg)
    runner = CliRunner()
    out = runner.invoke(main, ["sharing", "overdue", "--as", "unit:gaj", "--notify"])
    assert out.exit_code == 0, out.output
    assert f"申请 #{req['id']}" in out.output and "云阳县民政局 → 云阳县公安局" in out.output
    assert "已发送超期提醒 1 项" in out.output
    out = runner.invoke(main, ["sharing", "overdue", "--as", "unit:swj"])
    assert "超期未答复的共享申请 0 项" in out.output
    out = runner.invoke(main, ["sharing", "overdue", "--as", "gaj"])
    assert out.exit_code == 1 and "unit:<单位代码>" in out.output
    assert "--as" in runner.invoke(main, ["sharing", "overdue", "--help"]).output
