"""`registry sharing …`: the overdue list (as the Bureau, or as one unit) and the overdue notices."""
from __future__ import annotations

import click


def register(main) -> None:
    from registry.cli import fail, run_cli

    @main.group(help="数据共享：共享申请超期查询与提醒。")
    def sharing() -> None:
        pass

    @sharing.command("overdue", help="列出超过答复期限的共享申请和数据校核。"
                                     "--as unit:<单位代码> 只看该单位提出或收到的；--notify 同时发送超期提醒（每项只发一次）。")
    @click.option("--as", "as_", default="", metavar="unit:<代码>", help="以某单位的视角查看，例如 --as unit:yyga")
    @click.option("--date", "as_of", default=None, metavar="年-月-日", help="按哪一天计算是否超期（默认今天）")
    @click.option("--notify", is_flag=True, help="向提供单位、申请单位和大数据局发送超期提醒")
    @click.pass_context
    def overdue(ctx, as_, as_of, notify) -> None:
        data = {"as_of": as_of}
        if as_:
            kind, _, code = as_.partition(":")
            if kind != "unit" or not code:
                fail("--as 的格式应为 unit:<单位代码>")
            data["unit"] = code
        result = run_cli(ctx, "sharing_overdue", data)
        click.echo(f"截至 {result['as_of']}：超期未答复的共享申请 {len(result['requests'])} 项，"
                   f"超期未答复的数据校核 {len(result['objections'])} 项")
        for r in result["requests"]:
            click.echo(f"  申请 #{r['id']}  {r['requester_unit_name']} → {r['provider_unit_name']}"
                       f"  “{r['resource_title']}”  应答复方：{r['answerer_label']}  期限 {r['due_on']}"
                       f"  已超 {r['working_days_overdue']} 个工作日")
        for o in result["objections"]:
            click.echo(f"  校核 #{o['id']}  “{o['resource_title']}”·{o['item_name']}  {o['kind_label']}  期限 {o['due_on']}")
        if notify:
            sent = run_cli(ctx, "sharing_overdue_notify", {})
            click.echo(f"已发送超期提醒 {sent['notified']} 项")
