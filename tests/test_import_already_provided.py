"""Warn before collecting (issue 16): a department importing its catalog hears, on the result page,
in the annotated workbook and in the API answer, which of its items another unit already provides."""
import io
import re

import pytest
from openpyxl import load_workbook

from importers.annotate import PROVIDED_SHEET
from tests.import_workbooks import CIVIL, JIUZHU, POLICE, form_rows, write_xlsx
from tests.test_import_api_web import login, upload

# 身份证号码 is the data element 公民身份号码 the police already share; 保障金额 nobody provides
ASKING = ("低保对象信息", "数据库类", "oracle", "有条件共享", "共享交换平台", "否", None, "每月",
          (("姓名", "字符型C", 50, None), ("身份证号码", "字符型C", 18, None), ("保障金额", "货币型Y", 16, None)))


@pytest.fixture
def world(make):
    civil = make.unit(code="yymzj", name=CIVIL)
    police = make.unit(code="yygaj", name=POLICE)
    hukou = make.system(police, name="户政管理信息系统")
    make.act("package_create", {"system": hukou["id"], "title": "户籍人口信息", "sharing_type": "有条件共享",
                                "sharing_method": "共享交换平台",
                                "items": [{"name": "公民身份号码", "data_type": "C", "data_length": 18}]})
    user = make.user("department", civil)
    return {"civil": civil, "police": police, "user": user, "token": make.token(user)}


def workbook(tmp_path, resources=(ASKING,), name="低保目录.xlsx"):
    rows, merges = form_rows(resources=resources, lead=[["系统名称：低保管理信息系统"]])
    return write_xlsx(tmp_path / name, {"目录": (rows, merges)})


def test_import_result_page_and_annotated_workbook_name_the_unit_that_already_provides(client, world, tmp_path):
    login(client, world["user"]["username"])
    resp = upload(client, workbook(tmp_path))
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "导入完成" in text
    section = text[text.index('id="already-provided"'):]
    assert "已由其他单位提供的信息项（1 项）" in section
    assert "身份证号码" in section and POLICE in section and "户政管理信息系统" in section
    assert "有条件共享，共享交换平台" in section and "依据《管理办法》第二十八条" in section
    assert "保障金额" not in section
    link = re.search(r'href="(/import/annotated/[^"]+)"', section).group(1)
    book = load_workbook(io.BytesIO(client.get(link).data))
    listed = [r for r in book[PROVIDED_SHEET].iter_rows(min_row=3, values_only=True)]
    assert listed == [("目录", 5, "低保对象信息", "身份证号码", POLICE, "户政管理信息系统", "户籍人口信息", "有条件共享",
                       "共享交换平台")]
    cell = book["目录"]["E5"]
    assert cell.value == "身份证号码" and cell.fill.fgColor.rgb == "FFFFEB9C"
    assert "已由云阳县公安局“户政管理信息系统”" in cell.comment.text and "不要重复采集" in cell.comment.text


def test_import_api_answer_lists_items_already_provided_also_on_a_dry_run(make, world, tmp_path):
    from importers.actions import LocalFile
    path = workbook(tmp_path, resources=(ASKING, JIUZHU))
    answer = make.act("catalog_import", {"upload": LocalFile(path, path.name), "dry_run": True},
                      actor=world["user"]["id"])
    assert answer["dry_run"] and answer["items_created"] == 5
    [warning] = answer["already_provided"]
    assert (warning["item"], warning["resource"], warning["row"], warning["column"]) == ("身份证号码", "低保对象信息", 5, "E")
    assert warning["data_element_name"] == "公民身份号码"
    assert warning["providers"][0]["unit"] == POLICE and warning["providers"][0]["system"] == "户政管理信息系统"


def test_the_provider_itself_is_not_warned_about_its_own_items(make, world, tmp_path):
    from importers.actions import LocalFile
    police_user = make.user("department", world["police"])
    rows, merges = form_rows(resources=(("户籍人口信息", "数据库类", "Dm", "有条件共享", "共享交换平台", "否", None, "实时",
                                         (("公民身份号码", "字符型C", 18, None),)),), unit=POLICE,
                             lead=[["系统名称：户政管理信息系统"]])
    path = write_xlsx(tmp_path / "户籍.xlsx", {"目录": (rows, merges)})
    answer = make.act("catalog_import", {"upload": LocalFile(path, path.name), "dry_run": True},
                      actor=police_user["id"])
    assert answer["already_provided"] == []


def test_a_file_with_problems_still_warns_in_its_annotated_copy(client, world, tmp_path):
    bad = ("救助审批信息", "数据库类", "oracle", "随便共享", "共享交换平台", "否", None, "每月",
           (("身份证号码", "字符型C", 18, None),))
    login(client, world["user"]["username"])
    resp = upload(client, workbook(tmp_path, resources=(bad,)))
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "随便共享" in text and 'id="already-provided"' in text
    link = re.search(r'href="(/import/annotated/[^"]+)"', text).group(1)
    book = load_workbook(io.BytesIO(client.get(link).data))
    assert PROVIDED_SHEET in book.sheetnames and "导入问题清单" in book.sheetnames


def test_editing_a_catalog_through_the_api_answers_with_the_items_already_provided(client, make, world):
    dibao = make.system(world["civil"], name="低保管理信息系统")
    headers = {"Authorization": world["token"]}
    created = client.post("/api/3/action/package_create", headers=headers, json={
        "system": dibao["id"], "title": "低保对象信息", "sharing_type": "有条件共享", "sharing_method": "共享交换平台",
        "items": [{"name": "身份证号码", "data_type": "C", "data_length": 18},
                  {"name": "保障金额", "data_type": "Y", "data_length": 16}]}).get_json()
    assert created["success"], created
    [warning] = created["result"]["already_provided"]
    assert warning["item"] == "身份证号码" and warning["providers"][0]["unit"] == POLICE
    assert "不要重复采集" in warning["message"] and warning["sheet"] == "" and warning["row"] is None
    amount = next(i for i in created["result"]["items"] if i["name"] == "保障金额") if "items" in created["result"] \
        else None
    item_id = amount["id"] if amount else make.act("package_show", {"id": created["result"]["id"]})["items"][1]["id"]
    patched = client.post("/api/3/action/item_patch", headers=headers,
                          json={"id": item_id, "name": "公民身份号码"}).get_json()
    assert patched["success"], patched
    assert patched["result"]["already_provided"][0]["providers"][0]["system"] == "户政管理信息系统"


def test_import_command_prints_the_items_already_provided(reg, world, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from registry.cli import main
    monkeypatch.setenv("REGISTRY_DATABASE_URL", reg.settings.resolved_database_url())
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    path = workbook(tmp_path)
    result = CliRunner().invoke(main, ["import", "catalog", str(path), "--unit", "yymzj"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "已由其他单位提供的信息项 1 个" in result.output
    assert f"低保目录.xlsx 目录!E5 低保对象信息·身份证号码 → {POLICE}“户政管理信息系统”（有条件共享，共享交换平台）" \
        in result.output
