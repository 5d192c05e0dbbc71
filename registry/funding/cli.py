"""`registry funding-report` and `registry directory …`: the same actions as the pages and the API."""
from __future__ import annotations

from pathlib import Path

import click

from registry.cli import run_cli


def register(main: click.Group) -> None:
    @main.command("funding-report", help="运维经费审核报告：逐个系统（或逐行预算申报）给出能否安排运行维护经费及依据条款，输出 Excel 或 JSON。")
    @click.option("--year", required=True, type=int, help="预算年度，如 2027")
    @click.option("--budget", "budget_file", type=click.Path(exists=True, dir_okay=False),
                  help="财政局的运维经费预算申报清单（.xlsx、.xls 或 WPS .et：单位、系统名称、金额），每次会保存为一份新的预算申报清单；不填则审核全部已登记系统")
    @click.option("--run", "run_id", type=int, help="重新导出已保存的预算申报清单（清单编号），不新存清单")
    @click.option("--out", type=click.Path(dir_okay=False), help="输出文件路径（Excel；--format json 时可省略，输出到屏幕）")
    @click.option("--format", "fmt", type=click.Choice(["xlsx", "json"]), default="xlsx", show_default=True,
                  help="json：逐行的匹配结果、匹配依据（为何匹配、胜过哪些候选）与审核结论")
    @click.pass_context
    def funding_report(ctx, year: int, budget_file: str | None, run_id: int | None, out: str | None, fmt: str) -> None:
        from registry.cli import fail
        from registry.funding.export import write_budget_report, write_funding_report
        from registry.funding.storage import LocalUpload
        if budget_file and run_id:
            fail("--budget（上传新清单）和 --run（导出已保存的清单）只能选一个")
        if fmt == "xlsx" and not out:
            fail("请用 --out 指定输出的 Excel 文件路径")
        run = None
        if budget_file:
            run = run_cli(ctx, "budget_upload", {"year": year, "upload": LocalUpload(Path(budget_file), Path(budget_file).name)})
            run_id = run["id"]
        if run_id:
            report = run_cli(ctx, "budget_report", {"run": run_id})
            year = report["year"]
            if _write_json(report, fmt, out):
                return
            if fmt == "xlsx":
                write_budget_report(report["lines"], report["summary"], out, year)
            if run is not None:
                states = run["states"]
                click.echo(f"已匹配 {run['line_count']} 行（自动匹配 {states['matched']}，待确认 {states['suggested']}，"
                           f"未匹配 {states['unmatched']}）")
                click.echo(f"已保存为新的预算申报清单，编号 {run['id']}（每次使用 --budget 都会新存一份）；"
                           f"在网页上确认匹配后，可用 --run {run['id']} 重新导出，不再新存")
            else:
                click.echo(f"已导出预算申报清单 {run_id}（未新存清单）")
        else:
            report = run_cli(ctx, "funding_report", {"year": year})
            if _write_json(report, fmt, out):
                return
            if fmt == "xlsx":
                write_funding_report(report["results"], report["summary"], out, year)
        total = report["summary"]["total"]
        click.echo(f"{year}年度：可以安排 {total['eligible']['count']} 项，不予安排 {total['blocked']['count']} 项；"
                   f"报告已写入 {out}")

    def _write_json(report: dict, fmt: str, out: str | None) -> bool:
        """--format json: the report to the file, or to the screen (then nothing else is printed)."""
        if fmt != "json":
            return False
        import json
        text = json.dumps(report, ensure_ascii=False, indent=1, default=str)
        if not out:
            click.echo(text)
            return True
        Path(out).write_text(text, encoding="utf-8")
        return False

    @main.group(help="政务信息系统总目录（纳入、退出、整合、查询、导出）。")
    def directory() -> None:
        pass

    @directory.command("list", help="列出总目录；--missing 只列出已登记但未纳入总目录的系统。")
    @click.option("--unit", help="单位代码")
    @click.option("--missing", is_flag=True, help="只看未纳入总目录的系统")
    @click.pass_context
    def directory_list(ctx, unit: str | None, missing: bool) -> None:
        found = run_cli(ctx, "directory_list", {"unit": unit, "missing": missing, "rows": 20000})
        for row in found["results"]:
            mark = "在目录" if row["in_directory"] else "未纳入"
            click.echo(f"{row['unit_name']}\t{row['title']}\t{row['code']}\t{mark}\t{row['status_label']}")
        click.echo(f"共 {found['count']} 个系统")

    @directory.command("export", help="导出总目录为 Excel。")
    @click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出的 Excel 文件路径")
    @click.pass_context
    def directory_export(ctx, out: str) -> None:
        from registry.funding.export import write_directory
        found = run_cli(ctx, "directory_list", {"rows": 20000})
        write_directory(found["results"], out)
        click.echo(f"已导出 {found['count']} 个系统到 {out}")

    def _change(name: str, help_text: str, with_target: bool = False):
        @click.argument("system")
        @click.option("--date", "decided_on", help="决定日期，如 2026-12-06（默认今天）")
        @click.option("--reason", default="", help="理由")
        @click.pass_context
        def command(ctx, system, decided_on, reason, into=None):
            data = {"id": system, "decided_on": decided_on, "reason": reason}
            if with_target:
                data["into"] = into
            result = run_cli(ctx, f"directory_{name}", data)
            click.echo(f"{result['event']['kind_label']}：{result['title']}（{result['event']['effective_on']}）")
        if with_target:
            command = click.option("--into", required=True, help="整合后的系统（代码或编号）")(command)
        directory.command(name, help=help_text)(command)

    _change("admit", "将系统纳入总目录（系统：系统代码或编号）。")
    _change("retire", "将系统退出总目录。")
    _change("merge", "将系统整合并入另一系统（--into）。", with_target=True)
