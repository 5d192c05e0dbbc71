"""The real ckanapi client (library and CLI) against the running app."""
import json
import os
import subprocess
import sys

import ckanapi
import pytest

from pathlib import Path

CKANAPI = [str(Path(sys.executable).with_name("ckanapi"))]
# `ckanapi dump` starts its worker processes as `ckanapi` from PATH: the venv's bin must be on it
CLI_ENV = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


@pytest.fixture
def county(make):
    police = make.unit(code="yygaj", name="云阳县公安局")
    civil = make.unit(code="yymzj", name="云阳县民政局")
    hukou = make.system(police, name="户政管理信息系统")
    dibao = make.system(civil, name="低保救助管理信息系统")
    make.package(hukou, title="户籍人口信息", items=("公民身份证号码", "姓名", "出生日期"))
    make.package(dibao, title="低保对象信息", items=("身份证号", "姓名", "家庭人口数"))
    make.package(dibao, title="救助资金发放信息", items=("发放金额", "发放日期"))
    return {"police": police, "civil": civil, "hukou": hukou, "dibao": dibao,
            "civil_user": make.user("department", civil), "police_user": make.user("department", police),
            # these resources are not open to the public: a logged-in reader (anonymously: test_security_policy)
            "reader": make.token(make.user("reviewer"))}


def test_package_search_finds_substring_in_item_names(live_url, county):
    ckan = ckanapi.RemoteCKAN(live_url, apikey=county["reader"])
    result = ckan.action.package_search(q="身份证", rows=10)
    assert result["count"] == 2
    assert {r["title"] for r in result["results"]} == {"户籍人口信息", "低保对象信息"}
    assert result["results"][0]["organization"]["name"] in ("yygaj", "yymzj")


def test_package_search_fq_facets_rows_start(live_url, county):
    ckan = ckanapi.RemoteCKAN(live_url, apikey=county["reader"])
    result = ckan.action.package_search(fq="organization:yymzj", **{"facet.field": ["organization", "sharing_type"]})
    assert result["count"] == 2
    assert result["search_facets"]["organization"]["items"][0]["display_name"] == "云阳县民政局"
    assert result["facets"]["sharing_type"] == {"conditional": 2}
    page = ckan.action.package_search(rows=1, start=1, sort="name asc")
    assert page["count"] == 3 and len(page["results"]) == 1
    assert ckan.action.package_search(rows=5, start=3)["results"] == []
    assert ckan.action.package_search(rows=0)["results"] == []


def test_rows_that_is_not_a_number_is_a_validation_error(live_url, county):
    with pytest.raises(ckanapi.ValidationError) as caught:
        ckanapi.RemoteCKAN(live_url, apikey=county["reader"]).action.package_search(rows="abc")
    assert "rows" in caught.value.error_dict


def test_get_only_client_works(live_url, county):
    ckan = ckanapi.RemoteCKAN(live_url, get_only=True, apikey=county["reader"])
    assert ckan.action.package_search(q="低保")["count"] >= 1
    assert len(ckan.action.organization_list()) == 2


def test_package_show_of_missing_id_raises_not_found(live_url, county):
    with pytest.raises(ckanapi.NotFound):
        ckanapi.RemoteCKAN(live_url).action.package_show(id="does-not-exist")


def test_package_create_with_bad_sharing_type_raises_validation_error_naming_field(live_url, county, make):
    token = make.token(county["civil_user"])
    ckan = ckanapi.RemoteCKAN(live_url, apikey=token)
    with pytest.raises(ckanapi.ValidationError) as caught:
        ckan.action.package_create(system=county["dibao"]["id"], title="新资源", sharing_type="随便")
    assert "sharing_type" in caught.value.error_dict
    assert "无条件共享" in caught.value.error_dict["sharing_type"][0]


def test_department_token_writing_another_units_resource_raises_not_authorized(live_url, county, make):
    token = make.token(county["civil_user"])
    ckan = ckanapi.RemoteCKAN(live_url, apikey=token)
    police_pkg = ckanapi.RemoteCKAN(live_url, apikey=county["reader"]).action.package_search(q="户籍人口信息")["results"][0]
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_patch(id=police_pkg["id"], title="被改")
    created = ckan.action.package_create(system=county["dibao"]["code"], title="新资源", sharing_type="不予共享",
                                         items=[{"name": "备注", "data_type": "备注型M"}])
    assert created["organization"]["name"] == "yymzj" and created["items"][0]["data_type"] == "M"


def test_invalid_token_is_an_authorization_error(live_url, county):
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(live_url, apikey="reg_wrong").action.package_create(title="x")


def test_ckanapi_cli_from_another_process(live_url, county):
    run = subprocess.run([*CKANAPI, "action", "package_search", "q=身份证", "-r", live_url, "-a", county["reader"]],
                         capture_output=True, text=True, timeout=60, env=CLI_ENV)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["count"] == 2


def test_ckanapi_dump_and_search_datasets_terminate(live_url, county, tmp_path):
    out = tmp_path / "dump.jsonl"
    run = subprocess.run([*CKANAPI, "dump", "datasets", "--all", "-O", str(out),
                          "-r", live_url, "-q", "-a", county["reader"]], capture_output=True, text=True, timeout=60, env=CLI_ENV)
    assert run.returncode == 0, run.stderr
    assert len(out.read_text().splitlines()) == 3
    run = subprocess.run([*CKANAPI, "search", "datasets", "q=姓名", "-r", live_url, "-a", county["reader"]],
                         capture_output=True, text=True, timeout=60, env=CLI_ENV)
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 2
    run = subprocess.run([*CKANAPI, "dump", "organizations", "--all", "-r", live_url, "-q", "-a", county["reader"]],
                         capture_output=True, text=True, timeout=60, env=CLI_ENV)
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 2
