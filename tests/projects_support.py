"""Helpers for the project tests: a county with a department, its system and catalog, and users."""
from __future__ import annotations

from datetime import date, timedelta

from registry.core import clock
from registry.measures.projects_7_35 import add_months

CHAPTERS = ["data_governance", "data_sharing", "network_security", "crypto", "intensive"]
MATERIALS = ["summary", "financial_report", "audit_report", "security_assessment", "crypto_assessment",
             "data_dictionary"]


def declaration(unit_id: int, system_id: int | None = None, **kw) -> dict:
    data = {"unit": unit_id, "name": "智慧卫健综合管理平台", "kind": "新建", "competent_department": "县卫生健康委",
            "leader": "王明", "leader_phone": "023-55100001", "contact": "李华", "contact_phone": "13800000000",
            "background": "渝卫发〔2025〕12号", "estimate_yuan": 6_000_000, "preparation": "已完成需求调研",
            "schedule": "2027年建设，资金600万元", "materials": ["项目基本情况报告(可行性研究报告/技术方案)", "投资预算明细"],
            "filler": "张三", "filler_phone": "13900000000", "declared_on": "2026-11-20", "feasibility_chapters": CHAPTERS, "crypto_plan": "国密SM2/SM4，密评三级",
            "systems": [system_id] if system_id else []}
    data.update(kw)
    return data


def months_ago(months: int, extra_days: int = 0) -> date:
    return add_months(clock.today(), -months) - timedelta(days=extra_days)


class Api:
    """POST /api/3/action/<name> with a user's token; returns (status, body)."""

    def __init__(self, client, tokens: dict[str, str]):
        self.client, self.tokens = client, tokens

    def __call__(self, who: str, name: str, data: dict):
        headers = {"Authorization": self.tokens[who]} if who != "anonymous" else {}
        response = self.client.post(f"/api/3/action/{name}", json=data, headers=headers)
        return response.status_code, response.get_json()

    def ok(self, who: str, name: str, data: dict):
        status, body = self(who, name, data)
        assert status == 200 and body["success"], body
        return body["result"]

    def refused(self, who: str, name: str, data: dict, status: int = 403):
        got, body = self(who, name, data)
        assert got == status, body
        return body["error"]


def advance(make, project: dict, until: str, completed=None, accepted=None, approved=1_000_000) -> dict:
    """Move a project (as the administrator) through the stages up to `until`."""
    pid = project["id"]
    order = ["tech_review", "decision", "investment_review", "construction", "acceptance", "operation"]
    steps = {
        "tech_review": lambda: make.act("project_transition", {"id": pid, "transition": "submit"}),
        "decision": lambda: make.act("project_transition", {"id": pid, "transition": "review_pass", "opinion": "同意"}),
        "investment_review": lambda: make.act("project_transition", {
            "id": pid, "transition": "approve", "approval_reference": "批", "approved_total_yuan": approved,
            "approved_on": "2025-01-01"}),
        "construction": lambda: (make.act("project_parties_set", {"id": pid, "contractor": "甲", "supervisor": "乙"}),
                                 make.act("project_transition", {"id": pid, "transition": "investment_pass"}))[-1],
        "acceptance": lambda: make.act("project_transition", {"id": pid, "transition": "complete",
                                                              "completed_on": completed.isoformat()}),
        "operation": lambda: (make.act("project_archive_accept", {"id": pid, "passed": True,
                                                                  "accepted_on": accepted.isoformat()}),
                              make.act("project_transition", {"id": pid, "transition": "accept", "reference": "验",
                                                              "accepted_on": accepted.isoformat(),
                                                              "materials": MATERIALS}))[-1],
    }
    result = project
    for stage in order[:order.index(until) + 1]:
        result = steps[stage]()
    return result
