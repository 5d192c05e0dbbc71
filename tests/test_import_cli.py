"""`registry template`, `registry import catalog` (files and folders) and `registry export catalog`."""
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from registry.cli import main
from tests.import_workbooks import CIVIL, DIBAO, HUJI, JIUZHU, POLICE, counts, form_rows, write_xlsx


@pytest.fixture
def cli(reg, make, monkeypatch, tmp_path):
    """A runner whose `registry` command opens the test database."""
    monkeypatch.setenv("REGISTRY_DATABASE_URL", reg.settings.resolved_database_url())
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    make.unit(code="yymzj", name=CIVIL)
    make.unit(code="yygaj", name=POLICE)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def folder_of_workbooks(tmp_path):
    folder = tmp_path / "departments"
    folder.mkdir()
    civil, _ = form_rows(resources=(DIBAO, JIUZHU), lead=[["系统名称：低保管理信息系统"]])
    police, _ = form_rows(resources=(HUJI,), unit=POLICE, lead=[["系统名称：户政管理信息系统"]])
    bad, _ = form_rows(resources=(DIBAO[:3] + ("随便",) + DIBAO[4:],), lead=[["系统名称：另一个系统"]])
    write_xlsx(folder / "民政局.xlsx", {"Sheet1": (civil, [])})
    write_xlsx(folder / "公安局.xlsx", {"Sheet1": (police, [])})
    write_xlsx(folder / "有问题.xlsx", {"Sheet1": (bad, [])})
    (folder / "说明.txt").write_text("not a workbook")
    return folder


def test_every_command_has_chinese_help(cli):
    for args in (["template", "--help"], ["template", "catalog", "--help"], ["import", "catalog", "--help"],
                 ["export", "catalog", "--help"], ["template", "declaration", "--help"]):
        result = cli(*args)
        assert result.exit_code == 0 and any("\u4e00" <= ch <= "\u9fff" for ch in result.output)
    assert "--dry-run" in cli("import", "catalog", "--help").output


def test_template_commands_write_both_forms(cli, tmp_path):
    assert cli("template", "catalog", "--out", tmp_path / "a2.xlsx").exit_code == 0
    assert cli("template", "declaration", "--out", tmp_path / "a1.xlsx").exit_code == 0
    assert load_workbook(tmp_path / "a2.xlsx").sheetnames == ["信息资源目录"]
    assert load_workbook(tmp_path / "a1.xlsx").active["A1"].value == "云阳县政务信息化项目建设申报表"


def test_importing_a_folder_imports_good_files_and_reports_bad_ones(cli, reg, tmp_path):
    result = cli("import", "catalog", folder_of_workbooks(tmp_path), "--annotated-dir", tmp_path / "marked")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("单位"))
    assert lines[header].split() == ["单位", "系统", "信息资源", "信息项", "问题"]
    table = {line.split()[0]: line.split()[1:] for line in lines[header + 2:header + 5]}
    assert table[CIVIL] == ["1", "2", "5", "1"] and table[POLICE] == ["1", "1", "2", "0"]
    assert "有问题.xlsx：1 处问题，本文件未写入" in result.output
    assert (tmp_path / "marked" / "有问题-问题标注.xlsx").exists()
    assert counts(reg)["information_resource"] == 3


def test_dry_run_then_replace_from_the_command_line(cli, reg, tmp_path):
    rows, _ = form_rows(resources=(DIBAO,), lead=[["系统名称：低保管理信息系统"]])
    path = write_xlsx(tmp_path / "one.xlsx", {"Sheet1": (rows, [])})
    before = counts(reg)
    result = cli("import", "catalog", path, "--dry-run")
    assert result.exit_code == 0 and "将新增系统 1 个" in result.output and "仅校验" in result.output
    assert counts(reg) == before
    assert cli("import", "catalog", path).exit_code == 0
    again = cli("import", "catalog", path)
    assert "已新增 0" in again.output and "未变 1" in again.output


def test_export_command_writes_a_unit_or_the_county(cli, tmp_path):
    cli("import", "catalog", folder_of_workbooks(tmp_path))
    result = cli("export", "catalog", "--unit", "yymzj", "--out", tmp_path / "mz.xlsx")
    assert result.exit_code == 0 and "2 项信息资源、5 个信息项" in result.output
    assert "3 项信息资源" in cli("export", "catalog", "--out", tmp_path / "all.xlsx").output
    missing = cli("export", "catalog", "--unit", "nosuch", "--out", tmp_path / "x.xlsx")
    assert missing.exit_code == 1 and "不存在" in missing.output
