"""Funding decisions and budget reconciliation as actions (API, pages and CLI call these).

Who: finance uploads budget lists and confirms matches; the Bureau, finance, reviewers and the
administrator read decisions and reports; a department reads the decisions on its own unit.
"""
from __future__ import annotations


from marshmallow import EXCLUDE, fields
from sqlalchemy import func, select

from catalog_schema.fields import Bool, ChineseSchema, Int, Ref, Text
from importers.actions import LocalFile, staged_upload  # the catalog upload's staging (size limit, cleanup)
from registry.core import audit
from registry.core.actions import Context, action, validate
from registry.core.authz import require_login, require_role
from registry.core.db import utcnow
from registry.core.errors import NotAuthorized, NotFound, ValidationFailed
from registry.funding import budget, engine
from registry.funding.budget_file import read_budget_file
from registry.funding.models import BudgetLine, BudgetRun
from registry.funding.storage import LocalUpload, UploadField
from registry.funding.vocab import STATE_LABELS
from registry.catalog.lookup import get_system, get_unit
from registry.core.ordering import Sort, ordered, vocab_order
from registry.core.people import display_names

READERS = ("bureau", "finance", "reviewer")


def _year(required: bool = True):
    return Int("预算年度", required=required, minimum=2000, maximum=2100)


def _as_of():
    return fields.Date(load_default=None, allow_none=True, error_messages={"invalid": "决策日期格式应为“年-月-日”，如 2026-12-06"})


def _readers(ctx: Context, data: dict) -> None:
    require_role(ctx, *READERS)


def _finance(ctx: Context, data: dict) -> None:
    require_role(ctx, "finance")


def _reader_or_own_unit(unit_id: int | None):
    def check(ctx: Context) -> None:
        require_login(ctx)
        if ctx.user.role in (*READERS, "admin"):
            return
        if ctx.user.role == "department" and unit_id is not None and ctx.user.unit_id == unit_id:
            return
        raise NotAuthorized("只能查看本单位信息系统的经费审核结论")
    return check


class CheckSchema(ChineseSchema):
    system = Ref("信息系统", required=True)
    year = _year()
    as_of = _as_of()

    class Meta:
        unknown = EXCLUDE


def _auth_check(ctx: Context, data: dict) -> None:
    unit_id = get_system(ctx.session, data.get("system"), "system").unit_id if data.get("system") else None
    _reader_or_own_unit(unit_id)(ctx)


@action("funding_check", auth=_auth_check, schema=CheckSchema, read_only=True)
def funding_check(ctx: Context, data: dict) -> dict:
    """May this system receive O&M funding (运行维护经费) in the budget year? Every reason cites
    its article (依据《管理办法》第X条) and the evidence, or the missing evidence, behind it."""
    system = get_system(ctx.session, data["system"], "system")
    rows = engine.report(ctx.session, [system.id], data["year"], policy=ctx.settings.policy, as_of=data.get("as_of"))
    return rows[0]


class UnitCheckSchema(ChineseSchema):
    unit = Ref("单位", required=True)
    year = _year()
    as_of = _as_of()

    class Meta:
        unknown = EXCLUDE


def _auth_unit_check(ctx: Context, data: dict) -> None:
    unit_id = get_unit(ctx.session, data.get("unit"), "unit").id if data.get("unit") else None
    _reader_or_own_unit(unit_id)(ctx)


@action("funding_unit_check", auth=_auth_unit_check, schema=UnitCheckSchema, read_only=True)
def funding_unit_check(ctx: Context, data: dict) -> dict:
    """May this unit start a new project or build/extend a system? (Art. 28, 29, 30)."""
    unit = get_unit(ctx.session, data["unit"], "unit")
    return engine.unit_decision(ctx.session, unit.id, data["year"], policy=ctx.settings.policy,
                                as_of=data.get("as_of"))


class ReportSchema(ChineseSchema):
    year = _year(required=False)
    run = Int("预算申报清单编号", minimum=1)
    unit = Ref("单位")
    only_blocked = Bool("仅看不予安排", load_default=False)
    as_of = _as_of()

    class Meta:
        unknown = EXCLUDE


@action("funding_report", auth=_readers, schema=ReportSchema, read_only=True)
def funding_report(ctx: Context, data: dict) -> dict:
    """Decisions for every registered system (or one unit's), or for a budget run's lines, with a
    summary: counts (and amounts) eligible/blocked per reason and per unit."""
    if data.get("run"):  # the budget report's own input: its defaults (every line from the first) included
        return budget_report(ctx, {**validate(BudgetReportSchema, {"run": data["run"]}), "as_of": data.get("as_of")})
    if not data.get("year"):
        raise ValidationFailed({"year": ["预算年度为必填项"]})
    ids = None
    if data.get("unit") is not None:
        from registry.catalog.models import InformationSystem
        unit = get_unit(ctx.session, data["unit"], "unit")
        ids = list(ctx.session.scalars(select(InformationSystem.id).where(InformationSystem.unit_id == unit.id)))
    rows = engine.report(ctx.session, ids, data["year"], policy=ctx.settings.policy, as_of=data.get("as_of"))
    summary = engine.summarize(rows)
    if data["only_blocked"]:
        rows = [r for r in rows if not r["eligible"]]
    return {"year": data["year"], "count": len(rows), "results": rows, "summary": summary}


class BudgetUploadSchema(ChineseSchema):
    upload = UploadField("预算申报清单", required=True)
    year = _year()


@action("budget_upload", auth=_finance, schema=BudgetUploadSchema)
def budget_upload(ctx: Context, data: dict) -> dict:
    """Upload finance's O&M budget request list (.xlsx, .xls or WPS .et: 单位, 系统名称, 金额; multipart field `upload`)
    and match every line to the master directory. Bad cells come back as a Validation Error with a
    `problems` list of {sheet, row, column, value, reason}; nothing is stored then."""
    upload = data["upload"]
    if isinstance(upload, LocalUpload):
        upload = LocalFile(upload.path, upload.filename)
    with staged_upload(upload, ctx.settings.max_upload_mb * 1024 * 1024) as (path, filename):
        lines = read_budget_file(path, filename)
    run = budget.reconcile(ctx, lines, data["year"], filename)
    summary = run_dict(ctx.session, run)
    audit.record(ctx, "budget_upload", "budget_run", run.id, None, {"year": run.year, "filename": filename,
                                                                     "lines": len(lines)}, filename)
    return summary


def run_dict(session, run: BudgetRun) -> dict:
    counts = dict(session.execute(select(BudgetLine.state, func.count()).where(BudgetLine.run_id == run.id)
                                  .group_by(BudgetLine.state)).all())
    return {"id": run.id, "year": run.year, "filename": run.filename, "uploaded_by": run.uploaded_by,
            "uploaded_by_name": display_names(session, [run.uploaded_by]).get(run.uploaded_by, ""),
            "created": run.created.isoformat() if run.created else None, "line_count": sum(counts.values()),
            "states": {state: counts.get(state, 0) for state in STATE_LABELS},
            "state_labels": STATE_LABELS}


def _get_run(session, run_id) -> BudgetRun:
    run = session.get(BudgetRun, run_id)
    if run is None:
        raise NotFound(f"预算申报清单“{run_id}”不存在")
    return run


class BudgetConfirmSchema(ChineseSchema):
    line = Int("申报行编号", required=True, minimum=1)
    system = Ref("总目录系统")
    not_in_directory = Bool("确认不在总目录", load_default=False)


@action("budget_confirm", auth=_finance, schema=BudgetConfirmSchema)
def budget_confirm(ctx: Context, data: dict) -> dict:
    """A person confirms which system a budget line means, or that it names none in the directory."""
    line = ctx.session.get(BudgetLine, data["line"])
    if line is None:
        raise NotFound(f"申报行“{data['line']}”不存在")
    if data.get("system") in (None, "") and not data["not_in_directory"]:
        raise ValidationFailed({"system": ["请选择匹配的系统，或确认该系统不在总目录中"]})
    before = {"state": line.state, "system_id": line.system_id}
    if data["not_in_directory"]:
        line.state, line.system_id = "rejected", None
    else:
        system = get_system(ctx.session, data["system"], "system")
        line.state, line.system_id = "confirmed", system.id
    line.confirmed_by, line.confirmed_at = ctx.username, utcnow()
    ctx.session.flush()
    audit.record(ctx, "budget_confirm", "budget_line", line.id, before, {"state": line.state, "system_id": line.system_id},
                 line.system_text)
    return {"id": line.id, "state": line.state, "state_label": STATE_LABELS[line.state], "system_id": line.system_id}


class BudgetBulkConfirmSchema(ChineseSchema):
    run = Int("预算申报清单编号", required=True, minimum=1)
    min_score = Int("最低得分", required=True, minimum=60, maximum=100)
    include_matched = Bool("同时确认自动匹配的行", load_default=False)
    reason = Text("确认说明", max_length=500, load_default="")


@action("budget_confirm_bulk", auth=_finance, schema=BudgetBulkConfirmSchema)
def budget_confirm_bulk(ctx: Context, data: dict) -> dict:
    """Confirm at once every suggested line of a run (and, with include_matched, every
    automatically matched one) whose match scores at least `min_score`: each line keeps the
    system it was matched to and is audited on its own, with the batch's threshold and reason."""
    run = _get_run(ctx.session, data["run"])
    states = ("suggested", "matched") if data["include_matched"] else ("suggested",)
    lines = [line for line in run.lines if line.state in states and line.system_id is not None
             and line.confidence >= data["min_score"]]
    now = utcnow()
    for line in lines:
        before = {"state": line.state, "system_id": line.system_id}
        line.state, line.confirmed_by, line.confirmed_at = "confirmed", ctx.username, now
        audit.record(ctx, "budget_confirm_bulk", "budget_line", line.id, before,
                     {"state": line.state, "system_id": line.system_id, "min_score": data["min_score"],
                      "reason": data.get("reason") or ""}, line.system_text)
    ctx.session.flush()
    return {"run": run.id, "min_score": data["min_score"], "confirmed": len(lines),
            "lines": [line.id for line in lines], "states": run_dict(ctx.session, run)["states"]}


LINE_SORTS = ("row", "unit", "system", "amount", "confidence", "state")


class BudgetReportSchema(ChineseSchema):
    run = Int("预算申报清单编号", required=True, minimum=1)
    as_of = _as_of()
    sort = Sort(LINE_SORTS)
    rows = Int("条数", minimum=0, maximum=20000)
    start = Int("起始位置", minimum=0, load_default=0)

    class Meta:
        unknown = EXCLUDE


@action("budget_report", auth=_readers, schema=BudgetReportSchema, read_only=True)
def budget_report(ctx: Context, data: dict) -> dict:
    """Every line of a budget run with its matched system, decision, reasons (with articles) and
    amount blocked; and the summary per reason and per unit. The summary always covers every line;
    `lines` is a page of them when `sort`, `rows` or `start` is given (`count`: all lines)."""
    run = _get_run(ctx.session, data["run"])
    lines = budget.line_results(ctx.session, run, policy=ctx.settings.policy, as_of=data.get("as_of"))
    result = {"run": run_dict(ctx.session, run), "year": run.year, "lines": lines, "count": len(lines),
              "summary": engine.summarize(lines, amount_key="amount")}
    if data.get("sort") is not None or data.get("rows") is not None or data["start"]:
        L = BudgetLine
        columns = {"row": L.row, "unit": L.unit_text, "system": L.system_text, "amount": L.amount,
                   "confidence": L.confidence, "state": vocab_order(L.state, STATE_LABELS)}
        stmt = ordered(select(L.id).where(L.run_id == run.id), data.get("sort"), columns, ("row", False), L.id)
        stmt = stmt.offset(data["start"])
        by_id = {line["id"]: line for line in lines}
        result["lines"] = [by_id[i] for i in ctx.session.scalars(
            stmt if data.get("rows") is None else stmt.limit(data["rows"]))]
    return result


RUN_SORTS = ("id", "year", "filename", "uploaded_by")


class RunListSchema(ChineseSchema):
    year = _year(required=False)
    sort = Sort(RUN_SORTS)
    rows = Int("条数", minimum=0, maximum=1000, load_default=200)
    start = Int("起始位置", minimum=0, load_default=0)

    class Meta:
        unknown = EXCLUDE


def _runs(ctx: Context, data: dict):
    stmt = select(BudgetRun)
    if data.get("year"):
        stmt = stmt.where(BudgetRun.year == data["year"])
    return stmt


def _run_page(ctx: Context, stmt, data: dict) -> list[dict]:
    R = BudgetRun
    stmt = ordered(stmt, data.get("sort"), {"id": R.id, "year": R.year, "filename": R.filename,
                                            "uploaded_by": R.uploaded_by}, ("id", True), R.id)
    return [run_dict(ctx.session, r) for r in ctx.session.scalars(stmt.offset(data["start"]).limit(data["rows"]))]


@action("budget_run_list", auth=_readers, schema=RunListSchema, read_only=True)
def budget_run_list(ctx: Context, data: dict) -> list:
    """Uploaded budget request lists, newest first (or by `sort`: id, year, filename, uploaded_by)."""
    return _run_page(ctx, _runs(ctx, data), data)


@action("budget_run_search", auth=_readers, schema=RunListSchema, read_only=True)
def budget_run_search(ctx: Context, data: dict) -> dict:
    """Like budget_run_list, with the total: {"count", "results"} (for paged lists)."""
    stmt = _runs(ctx, data)
    return {"count": ctx.session.scalar(select(func.count()).select_from(stmt.subquery())),
            "results": _run_page(ctx, stmt, data)}

