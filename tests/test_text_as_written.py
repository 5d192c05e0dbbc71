"""Text is stored exactly as the department wrote it (only trimmed): Chinese punctuation stays
Chinese through the API, the web form and the import, and an export gives back what was filed.
Normalisation (full-width → half-width) is for matching and searching only."""
from __future__ import annotations

import re

from openpyxl import load_workbook

from importers.actions import LocalFile
from importers.catalog_export import export_catalog
from tests.import_workbooks import CIVIL, form_rows, write_xlsx

TITLE = "出生地国家（地区）信息：户籍；常住，流动"
ITEM = "出生地国家（地区）"
NOTES = "  说明：按《管理办法》填报；不含港澳台，仅限本县。  "
SYSTEM = "户籍管理系统（二期）"
RESOURCE = (TITLE, "数据库类", "oracle", "有条件共享", "共享交换平台", "否", None, "每月",
            ((ITEM, "字符型C", 50, None), ("姓名", "字符型C", 50, None)))


def test_api_stores_names_titles_and_descriptions_as_written(make):
    unit = make.unit(name="云阳县民政局（本级）", description=NOTES)
    system = make.system(unit, name=SYSTEM, description=NOTES)
    package = make.package(system, title=TITLE, description=NOTES, items=(ITEM,))
    item = make.act("item_create", {"resource": package["id"], "name": "国籍：中文；英文"})

    assert make.act("organization_show", {"id": unit["id"]})["title"] == "云阳县民政局（本级）"
    assert make.act("organization_show", {"id": unit["id"]})["description"] == NOTES.strip()
    assert make.act("group_show", {"id": system["id"]})["title"] == SYSTEM
    shown = make.act("package_show", {"id": package["id"]})
    assert (shown["title"], shown["notes"]) == (TITLE, NOTES.strip())
    assert [i["name"] for i in shown["items"]] == [ITEM, "国籍：中文；英文"] and item["name"] == "国籍：中文；英文"


def test_the_resource_form_stores_text_as_written(make, client):
    unit = make.unit()
    system = make.system(unit)
    user = make.user("department", unit)
    with client.session_transaction() as session:
        session["user_id"] = user["id"]
    page = f"/systems/{system['name']}/resources/new"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).get_data(as_text=True)).group(1)
    response = client.post(page, data={"csrf_token": token, "title": f" {TITLE} ", "sharing_type": "none",
                                       "description": NOTES, "item_name": [ITEM], "item_type": ["C"],
                                       "item_length": ["20"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    package = make.act("package_search", {"q": "出生地"})["results"][0]
    assert (package["title"], package["notes"], package["items"][0]["name"]) == (TITLE, NOTES.strip(), ITEM)


def _import(make, tmp_path, resources=(RESOURCE,)):
    rows, merges = form_rows(resources=resources, lead=[[f"系统名称：{SYSTEM}"]])
    return make.act("catalog_import", {"upload": LocalFile(write_xlsx(tmp_path / "in.xlsx", {"Sheet1": (rows, merges)}))})


def test_an_imported_catalog_is_stored_as_written_and_exported_as_filed(make, reg, tmp_path):
    make.unit(code="yymzj", name=CIVIL)
    _import(make, tmp_path)
    package = make.act("package_search", {"q": "出生地"})["results"][0]
    assert (package["title"], package["system_name"], package["items"][0]["name"]) == (TITLE, SYSTEM, ITEM)

    with reg.db.sessions() as session:
        export_catalog(session, tmp_path / "out.xlsx", unit="yymzj")
    rows = list(load_workbook(tmp_path / "out.xlsx")["信息资源目录"].iter_rows(values_only=True))
    assert rows[3][1:3] == (SYSTEM, TITLE) and rows[3][5] == ITEM
    assert _import(make, tmp_path)["resources_unchanged"] == 1, "the export's text is what was filed"


def test_an_import_matches_a_record_stored_with_ascii_punctuation_instead_of_duplicating_it(make, tmp_path):
    unit = make.unit(code="yymzj", name=CIVIL)
    ascii_title, ascii_item = "出生地国家(地区)信息:户籍;常住,流动", "出生地国家(地区)"
    package = make.package(make.system(unit, name=SYSTEM), title=ascii_title, sharing_type="conditional",
                           sharing_method="platform", update_cycle="monthly", format_class="database",
                           format_type="oracle", items=(ascii_item, "姓名"))

    report = _import(make, tmp_path)

    assert report["resources_created"] == report["items_created"] == 0
    assert [p["id"] for p in make.act("package_search", {"q": "出生地"})["results"]] == [package["id"]]
