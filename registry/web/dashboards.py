"""The three dashboards: the Bureau's overview, finance's funding view, a department's workspace.

Numbers come from the dashboard_* actions (registry.web.dashboard_actions); this module only builds the
click-through links and the server-side SVG charts.
"""
from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from markupsafe import Markup

from registry.core.errors import RegistryError
from registry.accounts.views import login_required
from registry.web.pages import call_or_abort, run
from registry.web.charts import bar_chart, heat_map

bp = Blueprint("dashboards", __name__)

HOME_BY_ROLE = {"bureau": "dashboards.bureau", "admin": "dashboards.bureau", "reviewer": "dashboards.bureau",
                "finance": "dashboards.finance", "department": "dashboards.unit"}


@bp.route("/dashboard/bureau")
@login_required
def bureau():
    d = call_or_abort("dashboard_bureau", {})
    sharing_svg = bar_chart([(s["label"], s["count"], url_for("catalog.search", fq=f"sharing_type:{s['code']}"))
                             for s in d["sharing"]], unit=" 项")
    findings_svg = bar_chart([(f["label"], f["count"], url_for("duplicates.findings", state=f["state"]))
                              for f in d["findings"]], unit=" 条")
    coverage_svg = bar_chart([(c["name"].replace("云阳县", ""), c["without_catalog"],
                               url_for("catalog.unit_page", ref=c["code"]))
                              for c in d["coverage"] if c["without_catalog"]], unit=" 个无目录")
    overlap = run("overlap_matrix", {})
    units = overlap["units"]
    heat = heat_map([u["name"].replace("云阳县", "") for u in units], overlap["matrix"], confirmed=overlap["confirmed"],
                    link=lambda i, j: url_for("duplicates.findings", unit=units[i]["code"]))
    without_catalog = any(c["without_catalog"] for c in d["coverage"])  # no chart at all, not an empty box
    return render_template("dashboard_bureau.html", d=d, sharing_svg=Markup(sharing_svg),
                           findings_svg=Markup(findings_svg), coverage_svg=Markup(coverage_svg) if without_catalog else "",
                           page_title=OVERSIGHT_TITLES.get(g.user.role, "大数据局工作台"),
                           heat=Markup(heat), confirmed_total=sum(map(sum, overlap["confirmed"])))


OVERSIGHT_TITLES = {"reviewer": "监督查阅工作台", "admin": "系统管理员工作台"}  # the Bureau's dashboard, read by others


@bp.route("/dashboard/finance")
@login_required
def finance():
    year = request.args.get("year", "")
    d = call_or_abort("dashboard_finance", {"year": year} if year.isdecimal() else {})
    total = d["summary"]["total"]
    split_svg = bar_chart([("可安排运维经费", total["eligible"]["count"], url_for("funding.directory", in_directory="1")),
                           ("不予安排", total["blocked"]["count"], None)], unit=" 个系统")
    rule_svg = bar_chart([(r["title"], r["count"], None) for r in d["summary"]["by_rule"]], unit=" 个系统")
    from registry.measures.base import load_rules
    titles = {rule.id: rule.title for rule in load_rules().values()}
    for row in d["blocked"]:  # one short line per reason; the full text is on the system's page
        by_article: dict[str, list[str]] = {}
        for r in row["reasons"]:
            title = titles.get(r["rule"], r["rule"])
            if title not in by_article.setdefault(r["article_text"], []):
                by_article[r["article_text"]].append(title)
        row["by_article"] = by_article
    return render_template("dashboard_finance.html", d=d, split_svg=Markup(split_svg), rule_svg=Markup(rule_svg))


@bp.route("/dashboard/unit")
@login_required
def unit():
    ref = request.args.get("unit") or (g.user.unit_id if g.user.role == "department" else None)
    if ref in (None, ""):
        units = run("organization_list", {"all_fields": True, "sort": "title asc"})
        return render_template("dashboard_unit_pick.html", units=units)
    d = call_or_abort("dashboard_unit", {"unit": ref})
    recollected = call_or_abort("duplicate_list", {"unit": d["unit"]["id"], "role": "recollector", "rows": 20})
    try:
        due = run("due_list", {"role": "unit", "unit": d["unit"]["id"]})
    except RegistryError:
        due = None
    return render_template("dashboard_unit.html", d=d, recollected=recollected, due=due,
                           can_import=g.user.role in ("department", "admin"))
