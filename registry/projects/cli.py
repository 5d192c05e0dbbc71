"""`registry due --as bureau|finance|unit:<code>`: what is due, from the same action as the page."""
from __future__ import annotations

import json

import click


def register(main: click.Group) -> None:
    from registry.cli import run_cli

    @main.command(help="列出待办事项（已逾期和即将到期）：日期、项目、依据条款、应办事项。"
                       "--as bureau（县大数据发展局）、finance（县财政局）或 unit:<单位代码>。")
    @click.option("--as", "view", required=True, help="bureau、finance 或 unit:<单位代码>")
    @click.option("--date", "as_of", help="查询日期（如 2026-12-06，默认今天）")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
    @click.pass_context
    def due(ctx, view: str, as_of: str | None, as_json: bool) -> None:
        role, _, unit = view.partition(":")
        if role not in ("bureau", "finance", "unit") or (role == "unit") != bool(unit):
            raise click.UsageError("--as 只能是 bureau、finance 或 unit:<单位代码>")
        data = {"role": role, "unit": unit or None, "as_of": as_of}
        result = run_cli(ctx, "due_list", data)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False, indent=1))
            return
        if result.get("sharing"):
            click.echo(f"共享申请待答复（{len(result['sharing'])} 项）")
            for row in result["sharing"]:
                click.echo(f"  {row['date']}  共享申请 #{row['request_id']}{'（已逾期）' if row['overdue'] else ''}  {row['what']}")
        for title, rows in (("已逾期", result["overdue"]), ("即将到期", result["upcoming"])):
            click.echo(f"{title}（{len(rows)} 项）")
            for row in rows:
                click.echo(f"  {row['date']}  {row['project_name']}（#{row['project_id']}）"
                           f"  {row['article_text']}  {row['what']}")
