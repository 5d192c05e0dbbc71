"""The import through the real ckanapi client, the Action API and the upload page."""
import io
import re
from urllib.parse import unquote

import ckanapi
import pytest
from openpyxl import load_workbook

from importers.annotate import RED
from tests.factories import PASSWORD
from tests.import_workbooks import CIVIL, DIBAO, JIUZHU, POLICE, counts, form_rows, write_xlsx

BAD = ("低保审批信息", "数据库类", "oracle", "随便共享", "共享交换平台", "否", None, "每月",
       (("姓名", "字符型C", "十八", None),))


@pytest.fixture
def world(make):
    civil = make.unit(code="yymzj", name=CIVIL)
    police = make.unit(code="yygaj", name=POLICE)
    user = make.user("department", civil)
    return {"civil": civil, "police": police, "user": user, "token": make.token(user)}


def workbook(tmp_path, resources=(DIBAO, JIUZHU), name="低保目录.xlsx", **kw):
    rows, merges = form_rows(resources=resources, lead=[["系统名称：低保管理信息系统"]], **kw)
    return write_xlsx(tmp_path / name, {"目录": (rows, merges)})


def test_ckanapi_client_imports_an_uploaded_workbook(live_url, world, reg, tmp_path):
    ckan = ckanapi.RemoteCKAN(live_url, apikey=world["token"])
    with workbook(tmp_path).open("rb") as handle:
        result = ckan.call_action("catalog_import", {"dry_run": "false"}, files={"upload": handle})
    assert (result["systems_created"], result["resources_created"], result["items_created"]) == (1, 2, 5)
    with workbook(tmp_path).open("rb") as handle:
        again = ckan.call_action("catalog_import", {}, files={"upload": handle})
    assert again["resources_unchanged"] == 2 and again["items_unchanged"] == 5


def test_ckanapi_gets_the_problems_list_in_a_validation_error(live_url, world, reg, tmp_path):
    before = counts(reg)
    ckan = ckanapi.RemoteCKAN(live_url, apikey=world["token"])
    with workbook(tmp_path, resources=(BAD,)).open("rb") as handle:
        with pytest.raises(ckanapi.ValidationError) as caught:
            ckan.call_action("catalog_import", {}, files={"upload": handle})
    problems = caught.value.error_dict["problems"]
    assert problems == [
        {"sheet": "目录", "row": 4, "column": "G", "value": "十八", "reason": "数据长度必须是整数"},
        {"sheet": "目录", "row": 4, "column": "H", "value": "随便共享",
         "reason": "“随便共享”不是有效的共享类型，可选值：无条件共享、有条件共享、不予共享"}]
    assert "发现 2 处问题" in caught.value.error_dict["message"]
    assert counts(reg) == before


def test_ckanapi_department_user_is_refused_for_another_unit(live_url, world, reg, tmp_path):
    ckan = ckanapi.RemoteCKAN(live_url, apikey=world["token"])
    with workbook(tmp_path, unit=POLICE).open("rb") as handle:
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.call_action("catalog_import", {}, files={"upload": handle})
    with workbook(tmp_path).open("rb") as handle:
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.call_action("catalog_import", {"unit": "yygaj"}, files={"upload": handle})


def test_api_refuses_a_path_string_instead_of_a_file(client, world):
    resp = client.post("/api/3/action/catalog_import", json={"upload": "/etc/passwd"},
                       headers={"Authorization": world["token"]})
    assert resp.status_code == 409
    assert "请以文件形式上传" in resp.get_json()["error"]["upload"][0]


def test_api_refuses_a_30_mb_upload_before_parsing(client, world, reg):
    before = counts(reg)
    resp = client.post("/api/3/action/catalog_import", headers={"Authorization": world["token"]},
                       data={"upload": (io.BytesIO(b"\0" * (30 * 1024 * 1024)), "big.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    assert resp.get_json()["error"]["message"] == "上传内容超过大小限制"
    assert counts(reg) == before


def test_an_upload_is_authorised_before_it_is_read(client, world):
    """Small uploads are parsed before the write transaction opens; the caller is checked first, so
    an anonymous or foreign-unit caller gets 403 for a file the server never opened."""
    for headers, data in (({}, {}), ({"Authorization": world["token"]}, {"unit": "yygaj"})):
        resp = client.post("/api/3/action/catalog_import", headers=headers, content_type="multipart/form-data",
                           data={**data, "upload": (io.BytesIO(b"PK\x03\x04 not a workbook"), "x.xlsx")})
        assert resp.status_code == 403, resp.get_json()
        assert resp.get_json()["error"]["__type"] == "Authorization Error"


# ---- the upload page ----------------------------------------------------------------------

def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def login(client, username):
    token = csrf(client.get("/login"))
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302


def upload(client, path, **fields):
    token = csrf(client.get("/import/catalog"))
    with path.open("rb") as handle:
        return client.post("/import/catalog", data={"csrf_token": token, "upload": (handle, path.name), **fields},
                           content_type="multipart/form-data")


def test_upload_page_imports_and_shows_the_summary(client, world, reg, tmp_path):
    login(client, world["user"]["username"])
    page = client.get("/import/catalog").get_data(as_text=True)
    assert 'type="file" name="upload"' in page and "仅校验" in page and 'name="unit"' not in page
    dry = upload(client, workbook(tmp_path), dry_run="1")
    assert dry.status_code == 200 and "仅校验，未写入" in dry.get_data(as_text=True)
    assert counts(reg)["information_resource"] == 0
    resp = upload(client, workbook(tmp_path))
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "导入完成" in text
    assert re.search(r"信息项</th><td class=\"num\">5</td>", text)


def test_upload_page_lists_problems_and_serves_the_annotated_copy_only_to_the_uploader(client, app, make, world, reg,
                                                                                          tmp_path):
    login(client, world["user"]["username"])
    before = counts(reg)
    resp = upload(client, workbook(tmp_path, resources=(BAD,)))
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "随便共享" in text and "数据长度必须是整数" in text
    assert counts(reg) == before
    link = re.search(r'href="(/import/annotated/[^"]+)"', text).group(1)
    download = client.get(link)
    assert download.status_code == 200 and "低保目录-问题标注.xlsx" in unquote(download.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(download.data))["目录"]
    assert sheet["H4"].fill.fgColor.rgb == RED and "不是有效的共享类型" in sheet["H4"].comment.text
    other = make.user("department", world["police"])
    stranger = app.test_client()
    login(stranger, other["username"])
    assert stranger.get(link).status_code == 404
    assert app.test_client().get(link).status_code == 302   # anonymous: to the login page


def test_upload_page_refuses_an_upload_over_the_limit_with_the_limit_named(client, world, reg):
    login(client, world["user"]["username"])
    token = csrf(client.get("/import/catalog"))
    resp = client.post("/import/catalog", data={"csrf_token": token,
                                                "upload": (io.BytesIO(b"\0" * (30 * 1024 * 1024)), "big.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 413 and "超过上限 5 MB" in resp.get_data(as_text=True)


def test_upload_page_without_csrf_token_is_refused(client, world, tmp_path):
    login(client, world["user"]["username"])
    with workbook(tmp_path).open("rb") as handle:
        resp = client.post("/import/catalog", data={"upload": (handle, "a.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code == 400


def test_templates_and_exports_are_downloadable_from_the_pages(client, world, make, tmp_path):
    login(client, world["user"]["username"])
    upload(client, workbook(tmp_path))
    unit_page = client.get("/units/yymzj").get_data(as_text=True)
    assert "/export/catalog.xlsx?unit=yymzj" in unit_page and "/import/catalog?unit=yymzj" in unit_page
    export = client.get("/export/catalog.xlsx?unit=yymzj")
    assert export.status_code == 200 and load_workbook(io.BytesIO(export.data)).sheetnames == ["信息资源目录", "明细"]
    system_code = make.act("group_list", {})[0]
    assert f"/export/catalog.xlsx?system={system_code}" in client.get(f"/systems/{system_code}").get_data(as_text=True)
    for kind in ("catalog", "declaration"):
        resp = client.get(f"/import/template/{kind}.xlsx")
        assert resp.status_code == 200 and load_workbook(io.BytesIO(resp.data)).worksheets
    assert client.get("/export/catalog.xlsx?unit=nosuch").status_code == 404
