"""Sharing pages: the requester's requests, the provider's queue, the Bureau's overview, request
and record pages with their forms, the inbox. Views parse forms and call actions; no rules here."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from registry.core.errors import NotAuthorized, NotFound, RegistryError
from registry.accounts.views import login_required
from registry.web.pages import run
from registry.web.forms import form_failed, keep_form
from registry.web.paging import back_args, parse
from registry.web.permissions import can

bp = Blueprint("sharing", __name__, template_folder="templates")


def _show(name: str, ref: int) -> dict:
    try:
        return run(name, {"id": ref})
    except NotFound:
        abort(404)
    except NotAuthorized:
        abort(403)


def _try(name: str, data: dict, success: str) -> bool:
    try:
        run(name, data)
    except RegistryError as exc:
        flash(exc.message, "error")
        return False
    flash(success, "success")
    return True


REQUEST_SORTS = {"id": "编号", "requester": "申请单位 / 系统", "provider": "提供单位", "resource": "信息资源",
                 "status": "状态", "submitted": "提交", "due": "答复期限"}
RECORD_SORTS = {"id": "编号", "provider": "提供单位", "resource": "信息资源", "consumer": "使用单位 / 系统",
                "start": "期限", "status": "状态"}
INBOX_SORTS = {"created": "时间", "kind": "类型", "title": "标题", "read": "已读"}


def _lists(request_box: str, record_box: str | None) -> dict:
    """The requests and (optionally) the records of a sharing page, each paged on its own."""
    req_paging = parse(REQUEST_SORTS, "id", descending=True, prefix="req_", fragment="requests")
    requests = req_paging.load(lambda p: run("sharing_request_list", {"box": request_box, **p.query()}))
    rec_paging = records = None
    if record_box is not None:
        rec_paging = parse(RECORD_SORTS, "id", descending=True, prefix="rec_", fragment="records")
        records = rec_paging.load(lambda p: run("sharing_record_list", {"box": record_box, **p.query()}))
    return {"requests": requests, "records": records, "req_paging": req_paging, "rec_paging": rec_paging}


@bp.route("/sharing")
@login_required
def mine():
    department = g.user.role == "department"
    return render_template("sharing/mine.html", **_lists("sent" if department else "all",
                                                         "consumed" if department else "all"))


@bp.route("/sharing/queue")
@login_required
def queue():
    box = "received" if g.user.role == "department" else "review"
    return render_template("sharing/queue.html", box=box,
                           **_lists(box, "provided" if g.user.role == "department" else None))


@bp.route("/sharing/overview")
@login_required
def overview():
    stats = run("sharing_stats", {})
    overdue = run("sharing_overdue", {})
    return render_template("sharing/overview.html", stats=stats, overdue=overdue)


@bp.route("/sharing/calendar", methods=["GET", "POST"])
@login_required
def calendar_page():
    """The official schedules (放假和调休安排) the deadlines count on; the Bureau enters or corrects a year."""
    form = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("year", "holidays", "workdays", "notice")}
        try:
            saved = run("sharing_calendar_set", form)
        except RegistryError as exc:
            flash(exc.message, "error")
        else:
            moved = len(saved["recomputed"])
            flash(f"已保存{saved['year']}年放假和调休安排" + (f"，重新计算了 {moved} 项待答复事项的期限" if moved else ""),
                  "success")
            return redirect(url_for("sharing.calendar_page", year=saved["year"]))
    known = run("sharing_calendar_list", {})
    if not form and request.args.get("year", "").isdecimal():
        entered = next((y for y in known["years"] if str(y["year"]) == request.args["year"]), None)
        form = {"year": request.args["year"], "notice": entered["notice"] if entered else "",
                "holidays": "\n".join(entered["holidays"]) if entered else "",
                "workdays": "\n".join(entered["workdays"]) if entered else ""}
    return render_template("sharing/calendar.html", known=known, form=form,
                           can_edit=g.user.role in ("bureau", "admin"))


@bp.route("/sharing/new", methods=["GET", "POST"])
@login_required
def new():
    draft = {}
    if request.values.get("finding"):
        try:
            draft = run("sharing_request_propose_from_finding", {"id": request.values["finding"]})
        except RegistryError as exc:
            flash(exc.message, "error")
            return redirect(url_for("duplicates.finding", finding_id=int(request.values["finding"]))
                            if request.values["finding"].isdecimal() else url_for("sharing.mine"))
    ref = request.values.get("resource") or draft.get("resource")
    if not ref:
        flash("请先在信息资源页面选择要申请共享的信息资源", "warning")
        return redirect(url_for("catalog.search"))
    try:
        package = run("package_show", {"id": ref})
    except NotFound:
        abort(404)
    status = 200
    if request.method == "POST":
        form = request.form
        data = {"resource": package["id"], "items": form.getlist("items"),
                "requester_system": form.get("requester_system", ""), "purpose": form.get("purpose", ""),
                "scenario": form.get("scenario", ""), "basis": form.get("basis", ""),
                "sharing_method": form.get("sharing_method", ""), "origin": form.get("origin") or "resource"}
        for key in ("period_start", "period_end", "finding"):
            if form.get(key):
                data[key] = form[key]
        try:
            created = run("sharing_request_create", data)
        except RegistryError as exc:
            status = keep_form("request", exc)
        else:
            flash(f"已提交共享申请 #{created['id']}，答复期限 {created['due_on']}", "success")
            return redirect(url_for("sharing.request_page", request_id=created["id"]))
    systems = []
    if g.user.unit_id:
        systems = run("organization_show", {"id": g.user.unit_id})["systems"]
    defaults = {"items": [i["id"] for i in draft.get("items", [])],
                "requester_system": draft.get("requester_system") or (systems[0]["id"] if len(systems) == 1 else ""),
                "sharing_method": draft.get("sharing_method") or package.get("sharing_method") or "",
                **{k: draft.get(k) for k in ("purpose", "scenario", "basis", "period_start", "period_end")}}
    return render_template("sharing/new.html", package=package, draft=draft, defaults=defaults,
                           systems=[(s["id"], s["title"]) for s in systems],
                           origin=request.values.get("origin") or draft.get("origin") or "resource"), status


@bp.route("/sharing/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def request_page(request_id: int):
    if request.method == "POST":
        form, op = request.form, request.form.get("op", "")
        data = {"id": request_id}
        if form.get("version", "").isdecimal():
            data["version"] = int(form["version"])
        if op == "answer":
            data.update(decision=form.get("decision", ""), items=[int(i) for i in form.getlist("items") if i.isdecimal()],
                        reason=form.get("reason", ""), basis=form.get("basis", ""), note=form.get("note", ""))
            for key in ("interface_address", "contact_person", "contact_phone"):
                if form.get(key, "").strip():
                    data[key] = form[key]
            name, action, done = "answer", "sharing_request_answer", "已保存答复"
        elif op == "withdraw":
            data["reason"] = form.get("reason", "")
            name, action, done = "withdraw", "sharing_request_withdraw", "已撤回共享申请"
        elif op == "arbitrate":
            data.update(decision=form.get("decision", ""), opinion=form.get("opinion", ""))
            items = [int(i) for i in form.getlist("items") if i.isdecimal()]
            if items:
                data["items"] = items
            name, action, done = "arbitrate", "sharing_arbitrate", "已记录协调结论"
        else:
            flash("未知的操作", "error")
            return redirect(url_for("sharing.request_page", request_id=request_id))
        try:
            run(action, data)
        except RegistryError as exc:
            return form_failed(name, exc, _request_view, request_id=request_id)
        flash(done, "success")
        return redirect(url_for("sharing.request_page", request_id=request_id))
    return _request_view(request_id)


def _request_view(request_id: int):
    req = _show("sharing_request_show", request_id)
    return render_template("sharing/request.html", r=req, can_answer=can("sharing_request_answer", {"id": request_id}),
                           can_withdraw=can("sharing_request_withdraw", {"id": request_id}),
                           can_arbitrate=can("sharing_arbitrate", {"id": request_id}))


@bp.route("/sharing/records/<int:record_id>", methods=["GET", "POST"])
@login_required
def record_page(record_id: int):
    if request.method == "POST":
        form, op = request.form, request.form.get("op", "")
        if op == "feedback":
            data = {"record": record_id, "period": form.get("period", ""), "usage": form.get("usage", ""),
                    "effect": form.get("effect", "")}
            if form.get("calls"):
                data["calls"] = form["calls"]
            name, action, done = "feedback", "sharing_feedback_create", "已提交使用情况反馈"
        elif op == "objection":
            data = {"record": record_id, "item": form.get("item", ""), "kind": form.get("kind", ""),
                    "description": form.get("description", "")}
            name, action, done = "objection", "sharing_objection_create", "已提交数据校核，等待提供单位答复"
        elif op == "objection_answer":
            data = {"id": form.get("objection", ""), "result": form.get("result", ""), "answer": form.get("answer", "")}
            name, action, done = f"objection-{form.get('objection', '')}", "sharing_objection_answer", "已答复数据校核"
        elif op == "revoke":
            data = {"id": record_id, "reason": form.get("reason", "")}
            name, action, done = "revoke", "sharing_record_revoke", "已终止共享"
        else:
            flash("未知的操作", "error")
            return redirect(url_for("sharing.record_page", record_id=record_id))
        try:
            run(action, data)
        except RegistryError as exc:
            return form_failed(name, exc, _record_view, record_id=record_id)
        flash(done, "success")
        return redirect(url_for("sharing.record_page", record_id=record_id))
    return _record_view(record_id)


def _record_view(record_id: int):
    rec = _show("sharing_record_show", record_id)
    from registry.sharing.schemas import OBJECTION_KIND, OBJECTION_RESULT
    return render_template("sharing/record.html", rec=rec, kind_terms=OBJECTION_KIND.terms,
                           result_terms=OBJECTION_RESULT.terms)


@bp.route("/sharing/contact/<ref>", methods=["GET", "POST"])
@login_required
def contact(ref):
    try:
        package = run("package_show", {"id": ref})
    except NotFound:
        abort(404)
    if request.method == "POST":
        data = {"resource": package["id"], **{k: request.form.get(k, "") for k in
                                                ("contact_person", "contact_phone", "interface_address")}}
        if _try("sharing_contact_set", data, "已保存共享联系人和接口信息（仅在申请获批后向使用单位显示）"):
            return redirect(url_for("catalog.resource_page", ref=package["name"]))
    try:
        current = run("sharing_contact_show", {"resource": package["id"]})
    except NotAuthorized:
        abort(403)
    return render_template("sharing/contact.html", package=package, current={**current, **request.form.to_dict()})


@bp.route("/inbox", methods=["GET", "POST"])
@login_required
def inbox():
    if request.method == "POST":
        op = request.form.get("op", "")
        if op == "email":
            _try("inbox_email_set", {"email": request.form.get("email", "")}, "已保存邮件通知地址")
        elif op == "read_all":
            _try("inbox_mark_read", {"all": True}, "已全部标记为已读")
        else:
            _try("inbox_mark_read", {"ids": [request.form.get("id", "")]}, "已标记为已读")
        return redirect(url_for("sharing.inbox", **back_args(request.form)))
    paging = parse(INBOX_SORTS, "created", descending=True)
    messages = paging.load(lambda p: run("inbox_list", p.query()))
    return render_template("sharing/inbox.html", messages=messages, paging=paging)
