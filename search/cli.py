"""`registry scan`, `registry duplicates`, `registry reindex`."""
from __future__ import annotations

import json

import click

FORMATS = ("json", "xlsx")


def register(main: click.Group) -> None:
    from registry.cli import run_cli

    @main.command(help="扫描全部信息项，重新映射数据元并更新重复采集线索（已审核的结论保留）。")
    @click.pass_context
    def scan(ctx) -> None:
        from search.actions import scan_summary
        click.echo(scan_summary(run_cli(ctx, "duplicate_scan", {})))

    @main.command(help="导出重复采集线索（每条线索的每个信息项：单位、系统、信息资源、信息项、数据元）。")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True, help="输出格式")
    @click.option("--out", type=click.Path(dir_okay=False), help="输出文件（json 默认输出到屏幕；xlsx 必填）")
    @click.option("--state", type=click.Choice(["open", "confirmed", "dismissed"]), help="只导出某一审核状态")
    @click.pass_context
    def duplicates(ctx, fmt: str, out: str | None, state: str | None) -> None:
        from search.duplicates.export import duplicate_rows, write_duplicates_xlsx
        data = {"rows": 1000, "start": 0, "holders": True, **({"state": state} if state else {})}
        findings = []
        while True:
            page = run_cli(ctx, "duplicate_list", data)
            findings.extend(page["results"])
            data["start"] += len(page["results"])
            if not page["results"] or data["start"] >= page["count"]:
                break
        if fmt == "xlsx":
            if not out:
                raise click.UsageError("导出 xlsx 须用 --out 指定文件")
            write_duplicates_xlsx(findings, out)
            click.echo(f"已导出 {len(findings)} 条线索到 {out}")
            return
        text = json.dumps([{**f, "rows": duplicate_rows(f)} for f in findings], ensure_ascii=False, indent=1)
        if out:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
            click.echo(f"已导出 {len(findings)} 条线索到 {out}")
        else:
            click.echo(text)

    @main.command(help="从数据库重建检索索引（数据库是唯一数据源）。")
    @click.pass_context
    def reindex(ctx) -> None:
        from search.actions import reindex_summary
        click.echo(reindex_summary(run_cli(ctx, "search_reindex", {})))
