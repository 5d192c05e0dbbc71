"""`registry template …`, `registry import catalog …`, `registry export catalog …`.

An import runs the `catalog_import` action once per file (one file, one transaction): a folder
of 100 department workbooks imports the good ones and reports the others with their problems
(and, with --annotated-dir, a red-marked copy of each). The summary table is per unit.
"""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import click

from importers.sources import EXTENSIONS

PROBLEMS_SHOWN = 30
HELP = click.help_option("--help", "-h", help="显示本帮助并退出")


def register(main: click.Group) -> None:
    template = _group(main, "template", "生成空白模板：附件2 信息资源目录（catalog）、附件1 项目建设申报表（declaration）。")
    importing = _group(main, "import", "从 Excel / CSV 文件导入数据。")
    exporting = _group(main, "export", "导出为 Excel 文件。")

    @template.command("catalog", help="生成附件2《云阳县政务信息化项目信息资源目录》空白模板（含下拉选项和填写提示）。")
    @HELP
    @click.option("--out", type=click.Path(dir_okay=False), default="信息资源目录模板.xlsx", show_default=True,
                  help="保存为哪个文件")
    def template_catalog(out: str) -> None:
        from importers.catalog_template import write_catalog_template
        write_catalog_template(out)
        click.echo(f"已生成信息资源目录模板：{out}")

    @template.command("declaration", help="生成附件1《云阳县政务信息化项目建设申报表》空白模板。")
    @HELP
    @click.option("--out", type=click.Path(dir_okay=False), default="项目建设申报表.xlsx", show_default=True,
                  help="保存为哪个文件")
    def template_declaration(out: str) -> None:
        from importers.declaration_form import write_declaration
        write_declaration({}, out)
        click.echo(f"已生成项目建设申报表模板：{out}")

    @importing.command("catalog", help=(
        "导入信息资源目录（附件2）。可给出一个或多个 .xlsx / .xls / .csv 文件或文件夹（文件夹内的文件全部导入）。\n\n"
        "每个文件单独校验、单独保存：文件有任何问题则该文件不写入，并列出每处问题（工作表、行、列、值、原因）。"
        "同一文件重复导入不会重复登记；文件中没有、系统中已有的信息资源和信息项只列出，加 --replace 才删除。"))
    @HELP
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
    @click.option("--unit", help="所属单位代码（表格中没有“部门名称”时使用；有则须一致）")
    @click.option("--system", help="所属信息系统名称（表格、标题行和工作表名称都没有给出系统时使用）")
    @click.option("--dry-run", is_flag=True, help="只校验并报告将新增、修改、删除什么，不写入数据库")
    @click.option("--replace", is_flag=True, help="删除系统中已有、但文件中没有的信息资源和信息项")
    @click.option("--annotated-dir", type=click.Path(file_okay=False),
                  help="有问题的文件在此文件夹生成标注副本（问题单元格标红并加批注）")
    @click.pass_context
    def import_catalog_command(ctx, paths, unit, system, dry_run, replace, annotated_dir) -> None:
        from registry.cli import get_registry
        files = collect_files(paths)
        if not files:
            raise click.UsageError("没有找到可导入的文件（.xlsx、.xls、.csv）")
        reg = get_registry(ctx)
        outcomes = []
        options = {"unit": unit, "system": system, "dry_run": dry_run, "replace": replace}
        if len(files) > 1:
            with click.progressbar(files, label="导入信息资源目录", file=sys.stderr,
                                   item_show_func=lambda f: f.name if f else "") as bar:
                for path in bar:
                    outcomes.append(import_one(reg, path, options, annotated_dir))
        else:
            outcomes.append(import_one(reg, files[0], options, annotated_dir))
        print_outcomes(outcomes, dry_run, replace)
        if any(o["problems"] for o in outcomes):
            sys.exit(1)

    @exporting.command("catalog", help="导出信息资源目录（附件2格式，另附“明细”表）。不指定 --unit / --system 则导出全县。")
    @HELP
    @click.option("--unit", help="只导出该单位（单位代码）")
    @click.option("--system", help="只导出该信息系统（系统代码）")
    @click.option("--out", required=True, type=click.Path(dir_okay=False), help="保存为哪个 .xlsx 文件")
    @click.pass_context
    def export_catalog_command(ctx, unit, system, out) -> None:
        from importers.actions import ExportTarget
        from registry.cli import run_cli
        from importers.actions import export_summary
        counts = run_cli(ctx, "catalog_export", {"unit": unit, "system": system, "out": ExportTarget(out)})
        click.echo(f"{export_summary(counts)}：{out}")


def _group(main: click.Group, name: str, help_text: str) -> click.Group:
    """The `name` group, shared with other modules that add commands to it."""
    existing = main.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = type(main)(name, help=help_text)  # the main group's class (Chinese usage and errors)
    main.add_command(group)
    return group


def collect_files(paths) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS
                                and not p.name.startswith(("~$", "."))))
        else:
            files.append(path)
    return files


def import_one(reg, path: Path, options: dict, annotated_dir: str | None) -> dict:
    """Run the action for one file; never raises for a bad file (it is reported instead)."""
    from importers.actions import LocalFile
    from importers.problems import ImportFailed, Problem
    from registry.cli import CliActor
    from registry.core.errors import RegistryError
    data = {"upload": LocalFile(path, path.name), **{k: v for k, v in options.items() if v not in (None, False)}}
    outcome = {"file": path, "report": None, "problems": [], "units": [], "annotated": None, "error": None}
    try:
        outcome["report"] = reg.run_action("catalog_import", CliActor(), data)
    except ImportFailed as exc:
        outcome.update(problems=exc.problems, units=exc.units)
        if annotated_dir:
            outcome["annotated"] = write_annotated(path, exc.problems, Path(annotated_dir))
    except RegistryError as exc:
        outcome["problems"] = getattr(exc, "problems", None) or [Problem("", None, "", path.name, exc.message)]
        outcome["error"] = exc.message
    return outcome


PROVIDED_SHOWN = 20


def _print_already_provided(outcomes: list[dict]) -> None:
    """Warn before collecting: items another unit already provides (importers.provided)."""
    found = [(o["file"], w) for o in outcomes for w in (o["report"] or {}).get("already_provided", [])]
    if not found:
        return
    click.secho(f"\n已由其他单位提供的信息项 {len(found)} 个：请先申请共享使用，不要重复采集"
                "（依据《管理办法》第二十八条）", fg="yellow")
    for path, w in found[:PROVIDED_SHOWN]:
        p = w["providers"][0]
        where = f"{w['sheet']}!{w['column']}{w['row']}" if w["row"] else w["sheet"]
        click.echo(f"  {path.name} {where} {w['resource']}·{w['item']} → {p['unit']}“{p['system']}”"
                   f"（{p['sharing_type_label']}，{p['sharing_method_label']}）")
    if len(found) > PROVIDED_SHOWN:
        click.echo(f"  ……另有 {len(found) - PROVIDED_SHOWN} 个")


def write_annotated(path: Path, problems, folder: Path) -> Path:
    from importers.annotate import annotate, annotated_name
    folder.mkdir(parents=True, exist_ok=True)
    return annotate(path, path.name, problems, folder / annotated_name(path.name))


def print_outcomes(outcomes: list[dict], dry_run: bool, replace: bool) -> None:
    units: dict[str, list[int]] = {}
    totals = dict.fromkeys(("systems_created", "resources_created", "resources_updated", "resources_unchanged",
                            "items_created", "items_updated", "items_unchanged", "resources_would_delete",
                            "items_would_delete", "resources_deleted", "items_deleted"), 0)
    for outcome in outcomes:
        report = outcome["report"]
        if report is not None:
            for key in totals:
                totals[key] += report[key]
            for unit in report["units"]:
                row = units.setdefault(unit["name"], [0, 0, 0, 0])
                row[0] += unit["systems"]
                row[1] += unit["resources"]
                row[2] += unit["items"]
        else:
            names = outcome["units"] or [f"（{outcome['file'].name}）"]
            units.setdefault(names[0], [0, 0, 0, 0])[3] += len(outcome["problems"])
    rows = [["单位", "系统", "信息资源", "信息项", "问题"]]
    rows += [[name, *map(str, counts)] for name, counts in sorted(units.items())]
    rows.append(["合计", *(str(sum(c[i] for c in units.values())) for i in range(4))])
    click.echo("")
    click.echo(format_table(rows))
    verb = "将" if dry_run else "已"
    click.echo(f"\n{verb}新增系统 {totals['systems_created']} 个；信息资源：{verb}新增 {totals['resources_created']}、"
               f"{verb}修改 {totals['resources_updated']}、未变 {totals['resources_unchanged']}；信息项：{verb}新增 "
               f"{totals['items_created']}、{verb}修改 {totals['items_updated']}、未变 {totals['items_unchanged']}。")
    if replace:
        click.echo(f"{verb}删除信息资源 {totals['resources_would_delete']} 项、信息项 {totals['items_would_delete']} 个。")
    elif totals["resources_would_delete"] or totals["items_would_delete"]:
        click.echo(f"文件中没有、系统中已有：信息资源 {totals['resources_would_delete']} 项、信息项 "
                   f"{totals['items_would_delete']} 个（未删除；加 --replace 才删除）。")
    if dry_run:
        click.secho("（仅校验，未写入数据库）", fg="yellow")
    _print_already_provided(outcomes)
    for outcome in outcomes:
        if outcome["problems"]:
            _print_problems(outcome)


def _print_problems(outcome: dict) -> None:
    problems = outcome["problems"]
    click.secho(f"\n文件 {outcome['file']}：{len(problems)} 处问题，本文件未写入。", fg="red", err=False)
    rows = [["工作表", "行", "列", "值", "原因"]]
    rows += [[p.sheet, str(p.row or ""), p.column, _short(p.value), p.reason] for p in problems[:PROBLEMS_SHOWN]]
    click.echo(format_table(rows))
    if len(problems) > PROBLEMS_SHOWN:
        click.echo(f"……另有 {len(problems) - PROBLEMS_SHOWN} 处问题" +
                   ("，见标注文件" if outcome["annotated"] else "（用 --annotated-dir 生成标注文件查看全部）"))
    if outcome["annotated"]:
        click.echo(f"标注文件：{outcome['annotated']}")


def _short(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(rows: list[list[str]]) -> str:
    """A plain-text table whose columns line up with Chinese (double-width) characters."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
