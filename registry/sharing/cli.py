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

    @sharing.group("calendar", help="工作日历：各年放假和调休安排（答复期限按法定工作日计算）。")
    def calendar() -> None:
        pass

    @calendar.command("show", help="列出已知的年度安排：内置年份范围，以及大数据局录入的各年安排。")
    @click.pass_context
    def calendar_show(ctx) -> None:
        known = run_cli(ctx, "sharing_calendar_list", {})
        click.echo(f"内置安排：{known['library_first_year']}—{known['library_last_year']} 年；"
                   f"已知的最后一年：{known['last_known_year']} 年")
        for y in known["years"]:
            click.echo(f"  {y['year']}年  放假 {len(y['holidays'])} 天  调休上班 {'、'.join(y['workdays']) or '无'}"
                       f"  {y['notice'] or ''}  （{y['entered_by']}）")

    @calendar.command("set", help="录入或更正一年的放假和调休安排（该年以此为准），并重新计算待答复事项的期限。"
                                  "日期可写区间，如 --holidays \"2027-01-01,2027-02-05至2027-02-13\"。")
    @click.argument("year", type=int, metavar="年份")
    @click.option("--holidays", required=True, help="放假日期（逗号分隔，可写区间“开始至结束”）")
    @click.option("--workdays", default="", help="调休上班的周六、周日（逗号分隔）")
    @click.option("--notice", default="", help="通知名称或文号")
    @click.pass_context
    def calendar_set(ctx, year, holidays, workdays, notice) -> None:
        saved = run_cli(ctx, "sharing_calendar_set", {"year": year, "holidays": holidays, "workdays": workdays,
                                                      "notice": notice})
        click.echo(f"已保存{saved['year']}年安排：放假 {len(saved['holidays'])} 天，调休上班 {len(saved['workdays'])} 天")
        for r in saved["recomputed"]:
            kind = "申请" if r["kind"] == "request" else "校核"
            click.echo(f"  {kind} #{r['id']} 期限 {r['old_due_on']} → {r['due_on']}")
