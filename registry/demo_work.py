"""The demo county's work in progress, so every role's first login shows real work: projects at
several stages, sharing requests pending, answered, refused and overdue (with a record, a feedback
and an open objection), the Bureau's review queue.

Everything goes through the actions, each step by the user whose job it is (the unit's account,
the Bureau's), on a day counted back from today (`clock.frozen`), so deadlines and overdue marks
are the real rules' answers whatever day the demo is loaded.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from registry.core import clock
from registry.core.actions import call_action
from registry.core.errors import NotAuthorized
from registry.catalog.models import InformationResource, InformationSystem, Unit
from registry.accounts.models import User

FULL_CHAPTERS = ["data_governance", "data_sharing", "network_security", "crypto", "intensive"]
MATERIALS = ["summary", "financial_report", "audit_report", "security_assessment", "crypto_assessment",
             "data_dictionary"]

# (unit code, name, kind, estimate, stage to reach, days ago it was declared)
PROJECTS = [
    ("yywjw", "智慧卫健综合管理平台", "新建", 6_000_000, "declared", 3),
    ("yygaj", "雪亮工程三期视频联网扩容", "扩建", 3_800_000, "tech_review", 20),
    ("yymzj", "社会救助综合信息平台升级改造", "升级改造", 1_200_000, "decision", 60),
    ("yydsjj", "政务数据共享交换平台扩容", "扩建", 2_600_000, "construction", 240),
    ("yyrsj", "就业创业公共服务信息系统", "新建", 900_000, "acceptance", 420),
    ("yyjtw", "城乡公交智能调度系统", "新建", 750_000, "operation", 700),
]
LEADERS = {"yywjw": ("刘建国", "陈晓雪"), "yygaj": ("周海涛", "王磊"), "yymzj": ("李秀英", "张敏"),
           "yydsjj": ("黄志强", "杨帆"), "yyrsj": ("赵红梅", "孙静"), "yyjtw": ("吴德明", "郑伟")}


def load_work_demo(ctx, progress=print) -> dict:
    session = ctx.session
    users = {u.username: u for u in session.scalars(select(User))}
    if not {"bureau", "finance", "yygaj", "yymzj"} <= set(users):   # not the demo county: nothing to add
        progress("不是演示县的数据，跳过演示工作数据")
        return {"projects": 0, "sharing_requests": 0, "findings_reviewed": 0}

    def act(username: str, name: str, data: dict, days_ago: int | None = None):
        as_user = replace(ctx, user=users[username])   # same session and change set, the step's own user
        day = clock.today() - timedelta(days=days_ago) if days_ago is not None else None
        with clock.frozen(day) if day else nullcontext():
            return call_action(name, as_user, data)

    progress("载入演示项目、共享申请和重复采集审核 …")
    counts = {"projects": 0, "sharing_requests": 0, "findings_reviewed": _findings(act)}
    for spec in PROJECTS:
        _project(session, act, *spec)
        counts["projects"] += 1
    counts["sharing_requests"] = _sharing(session, act)
    return counts


# The Bureau's first reviews: re-collections of these elements confirmed (the holder named by the
# finding must be reused), one dismissed with its reason. Not 公民身份号码: the journey test confirms one.
CONFIRM_ELEMENTS = ("住所", "单位名称", "联系电话")


def _findings(act) -> int:
    open_items = act("bureau", "duplicate_list", {"kind": "item", "state": "open", "rows": 1000})["results"]
    reviewed, done_elements = 0, set()
    for f in open_items:
        if f["element_name"] in CONFIRM_ELEMENTS and f["element_name"] not in done_elements \
                and f.get("provider_system_id"):
            act("bureau", "duplicate_review", {"id": f["id"], "decision": "confirm",
                                               "must_reuse_from": f["provider_system_id"],
                                               "reason": "该数据已由提供方系统采集并可通过共享获取"}, 5)
            done_elements.add(f["element_name"])
            reviewed += 1
    dismissible = next((f for f in open_items if f["element_name"] == "姓名"), None)
    if dismissible is not None:
        act("bureau", "duplicate_review", {"id": dismissible["id"], "decision": "dismiss",
                                           "reason": "姓名为业务办理的必要登记项，不属于重复采集"}, 4)
        reviewed += 1
    return reviewed


def _systems(session, code: str) -> list[InformationSystem]:
    return list(session.scalars(select(InformationSystem).join(Unit).where(Unit.code == code)
                                .order_by(InformationSystem.id)))


def _project(session, act, code, name, kind, estimate, until, days_ago) -> None:
    leader, contact = LEADERS[code]
    unit = session.scalar(select(Unit).where(Unit.code == code))
    systems = _systems(session, code)
    declared_on = (clock.today() - timedelta(days=days_ago)).isoformat()
    project = act(code, "project_create", {
        "unit": unit.id, "name": name, "kind": kind, "competent_department": unit.name,
        "leader": leader, "leader_phone": "023-5551" + str(1000 + len(name)), "contact": contact,
        "contact_phone": "023-5552" + str(1000 + len(name)),
        "background": f"依据《云阳县政务信息化项目管理办法》及{unit.name}年度工作要点，解决业务数据分散、重复采集问题。",
        "estimate_yuan": estimate, "preparation": "已完成需求调研和可行性研究报告编制",
        "schedule": f"建设周期12个月，总投资{estimate // 10_000}万元，财政资金安排", "materials": ["可行性研究报告", "投资预算明细"],
        "remarks": "", "filler": contact, "filler_phone": "023-5553" + str(1000 + len(name)),
        "declaring_unit": unit.name, "declared_on": declared_on, "feasibility_chapters": FULL_CHAPTERS,
        "crypto_plan": "采用国密SM2/SM3/SM4算法，按密评三级要求设计", "funding_source": "县级财政资金",
        "predecessor_post_evaluation": "" if kind == "新建" else f"《{systems[0].name if systems else name}后评价报告》（第三方，{clock.today().year - 2}年）",
        "systems": [systems[0].id] if systems else []}, days_ago)
    pid = project["id"]
    steps = ["tech_review", "decision", "investment_review", "construction", "acceptance", "operation"]
    if until == "declared":
        return
    reached = steps[:steps.index(until) + 1]
    ago = days_ago

    def later(days: int) -> int:
        nonlocal ago
        ago = max(ago - days, 0)
        return ago
    approved = estimate - estimate // 10
    for stage in reached:
        if stage == "tech_review":
            act(code, "project_transition", {"id": pid, "transition": "submit"}, later(1))
        elif stage == "decision":
            act("bureau", "project_transition", {"id": pid, "transition": "review_pass",
                                                 "opinion": "技术方案可行，数据共享分析充分，同意提交项目决策。"}, later(15))
        elif stage == "investment_review":
            act("bureau", "project_transition", {
                "id": pid, "transition": "approve", "approval_reference": f"云阳府办函〔{clock.today().year - 1}〕{20 + pid}号",
                "approved_total_yuan": approved,
                "approved_on": (clock.today() - timedelta(days=later(20))).isoformat()}, ago)
        elif stage == "construction":
            act(code, "project_parties_set", {"id": pid, "contractor": "重庆数智科技有限公司",
                                              "supervisor": "重庆信息工程监理有限公司"}, later(10))
            act("finance", "project_transition", {"id": pid, "transition": "investment_pass"}, ago)
        elif stage == "acceptance":
            act(code, "project_transition", {"id": pid, "transition": "complete",
                                             "completed_on": (clock.today() - timedelta(days=later(300))).isoformat()},
                ago)
        elif stage == "operation":
            on = (clock.today() - timedelta(days=later(60))).isoformat()
            act(code, "project_archive_accept", {"id": pid, "passed": True, "accepted_on": on}, ago)
            accept = {"id": pid, "transition": "accept", "reference": f"验收报告〔{on[:4]}〕3号", "accepted_on": on,
                      "materials": MATERIALS}
            try:  # the owner organises the acceptance of a small project, the Bureau of a large one (Art. 25)
                act(code, "project_transition", accept, ago)
            except NotAuthorized:
                act("bureau", "project_transition", accept, ago)
    if until in ("construction", "operation"):  # next year's project list (Art. 9): 续建 and 运维 entries
        act("bureau", "project_list_add", {"id": pid, "year": clock.today().year + 1,
                                           "origin": "continuing" if until == "construction" else "om",
                                           "amount_yuan": approved // 3 if until == "construction" else 60_000,
                                           "note": "续建，按批复分年度安排" if until == "construction" else "系统运行维护"}, 0)


def _resource(session, provider: str, sharing_type: str) -> InformationResource | None:
    return session.scalar(select(InformationResource).join(Unit, Unit.id == InformationResource.unit_id)
                          .where(Unit.code == provider, InformationResource.sharing_type == sharing_type)
                          .order_by(InformationResource.id))


# (requester, provider, sharing type, days ago submitted, what happens, purpose)
REQUESTS = [
    ("yymzj", "yygaj", "conditional", 3, "pending", "低保、特困对象申请受理时核验户籍和家庭成员"),
    ("yyrsj", "yygaj", "conditional", 30, "pending", "社会保险参保登记时核验身份信息"),       # overdue
    ("yywjw", "yymzj", "conditional", 50, "approve", "医疗救助对象身份认定"),
    ("yyjw", "yywjw", "conditional", 40, "refuse", "学生健康档案与入学体检信息比对"),
    ("yyzjw", "yyrsj", "unconditional", 2, "pending", "建筑工人实名制管理核验就业登记"),     # the Bureau's check
    ("yynyncw", "yymzj", "conditional", 25, "partial", "防返贫监测对象动态识别"),
]


def _sharing(session, act) -> int:
    made = 0
    for requester, provider, kind, days_ago, outcome, purpose in REQUESTS:
        res = _resource(session, provider, kind)
        systems = _systems(session, requester)
        if res is None or not systems:
            continue
        items = [i.id for i in res.items[:3]]
        act(provider, "sharing_contact_set", {"resource": res.id, "contact_person": "数据管理科",
                                               "contact_phone": "023-5556" + str(1000 + res.id),
                                               "interface_address": f"https://gx.yunyang.gov.cn/api/{res.name}"},
            days_ago + 1)
        req = act(requester, "sharing_request_create", {
            "resource": res.id, "items": items, "requester_system": systems[0].id, "purpose": purpose,
            "scenario": f"{systems[0].name}业务办理中调用", "basis": "《云阳县政务信息化项目管理办法》第十四条",
            "sharing_method": "共享交换平台"}, days_ago)
        made += 1
        answered = max(days_ago - 6, 0)
        if outcome == "approve":
            act(provider, "sharing_request_answer", {"id": req["id"], "decision": "approve",
                                                     "note": "同意共享，请按约定用途使用"}, answered)
            record = act(requester, "sharing_record_list", {"box": "consumed"})["results"][0]
            act(requester, "sharing_feedback_create", {"record": record["id"], "period": str(clock.today().year),
                                                       "usage": "医疗救助对象认定时自动核验", "calls": 1260,
                                                       "effect": "群众不再提交纸质证明"}, max(answered - 10, 0))
            act(requester, "sharing_objection_create", {"record": record["id"], "item": items[-1], "kind": "stale",
                                                        "description": "部分对象的数据未随最新认定结果更新"}, 1)
        elif outcome == "refuse":
            act(provider, "sharing_request_answer", {
                "id": req["id"], "decision": "refuse", "reason": "含个人健康隐私信息，超出申请用途所需范围",
                "basis": "《中华人民共和国个人信息保护法》第二十八条"}, answered)
        elif outcome == "partial":
            act(provider, "sharing_request_answer", {
                "id": req["id"], "decision": "partial", "items": items[:1], "reason": "其余信息项不属于核验必需",
                "basis": "《中华人民共和国个人信息保护法》第六条", "note": "同意共享第一项"}, answered)
    return made
