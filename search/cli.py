"""`registry scan`, `registry duplicates`, `registry reindex`."""
from __future__ import annotations

import json
import sys

import click
from sqlalchemy import func, select

FORMATS = ("json", "xlsx")
ENGINE_FAILURES = {"unreachable": "无法连接", "timeout": "响应超时", "refused": "拒绝了请求",
                   "missing": "找不到索引", "failed": "内部出错"}


def register(main: click.Group) -> None:
    from registry.cli import get_registry, run_cli

    @main.command(help="扫描全部信息项，重新映射数据元并更新重复采集线索（已审核的结论保留）。")
    @click.pass_context
    def scan(ctx) -> None:
        from registry.models import InformationItem
        from search.scan import full_scan
        reg = get_registry(ctx)
        with reg.db.unit_of_work(write=True) as session:
            total = session.scalar(select(func.count(InformationItem.id))) or 0
            with click.progressbar(length=total, label="映射信息项", file=sys.stderr) as bar:
                stats = full_scan(session, progress=bar.update)
        click.echo(f"扫描完成：{stats['resources']} 项信息资源，{total} 个信息项；"
                   f"发现线索 {stats['detected']} 条（新增 {stats['new']}，有变化 {stats['changed']}，不再出现 {stats['inactive']}）")

    @main.command(help="导出重复采集线索（每条线索的每个信息项：单位、系统、信息资源、信息项、数据元）。")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True, help="输出格式")
    @click.option("--out", type=click.Path(dir_okay=False), help="输出文件（json 默认输出到屏幕；xlsx 必填）")
    @click.option("--state", type=click.Choice(["open", "confirmed", "dismissed"]), help="只导出某一审核状态")
    @click.pass_context
    def duplicates(ctx, fmt: str, out: str | None, state: str | None) -> None:
        from search.export import duplicate_rows, write_duplicates_xlsx
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
        from registry.models import InformationItem
        from search.elastic import IndexingFailed
        from search.engines import EngineError
        reg = get_registry(ctx)
        try:
            with reg.db.unit_of_work(write=True) as session:
                total = session.scalar(select(func.count(InformationItem.id))) or 0
                with click.progressbar(length=total, label="重建索引", file=sys.stderr) as bar:
                    count = reg.search.reindex(session, progress=bar.update)
        except EngineError as exc:
            raise click.ClickException(f"重建索引失败：搜索引擎{ENGINE_FAILURES.get(exc.kind, '出错')}"
                                       f"（{exc}）。数据库未受影响，原索引照常服务；请排除后重新运行 registry reindex") from None
        except IndexingFailed as exc:
            raise click.ClickException(f"重建索引失败：{exc}。数据库未受影响，原索引照常服务") from None
        click.echo(f"索引已重建：{count} 项信息资源（检索后端：{reg.search.name}）")
