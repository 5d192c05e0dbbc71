"""Where each article of the measures is implemented: article → (subject, the functions).

A reader asking "what does Article 28 block" starts here. Every function that cites an article
(`cite(N)`), registers a funding rule for it or names it (`article=N`) is listed under it;
`tests/test_measures.py` fails when one is missing or an entry no longer exists. Entries are
"module:function" (or "module:Class").
"""
from __future__ import annotations

ARTICLES: dict[int, tuple[str, tuple[str, ...]]] = {
    7: ("project list (项目清单): no budget off the list; ≥ threshold reported by 30 September, below it filed", (
        "registry.measures.directory_28:directory_admitted_late",
        "registry.measures.project_list_7:project_list_rule",
        "registry.measures.projects_7_35:budget_decision",
        "registry.measures.projects_7_35:late_list_message",
    )),
    9: ("mandated / continuing projects added to the list by the Bureau", (
        "registry.measures.projects_7_35:budget_decision",
    )),
    10: ("approval: declaration → technical review → decision → investment review", (
        "registry.projects.actions:project_update",
        "registry.projects.stages:preconditions",
    )),
    13: ("cross-department projects: no duplicated content between the parts", (
        "registry.projects.overlap:project_overlap",
    )),
    14: ("feasibility study chapters; post-evaluation before 改扩建", (
        "registry.projects.stages:preconditions",
    )),
    20: ("engineering supervision (监理) required", (
        "registry.projects.stages:preconditions",
    )),
    21: ("annual performance report during construction", (
        "registry.projects.records_actions:project_performance_report",
    )),
    22: ("serious delay or loss: report, rectify or suspend", (
        "registry.projects.records_actions:project_problem_decide",
        "registry.projects.records_actions:project_problem_report",
        "registry.projects.stages:preconditions",
    )),
    24: ("adjustments: ≤ 15 % of the approved total, for one of three reasons", (
        "registry.projects.records_actions:project_adjustment_create",
        "registry.measures.projects_7_35:adjustment_decision",
    )),
    25: ("completion acceptance within 6 months; who accepts by amount; materials", (
        "registry.measures.funding_25_30:completion_not_accepted",
        "registry.projects.records_actions:project_extension_request",
        "registry.measures.projects_7_35:acceptance_organiser_text",
        "registry.projects.stages:materials_check",
    )),
    26: ("archive acceptance before completion acceptance", (
        "registry.measures.funding_25_30:archive_not_accepted",
        "registry.projects.records_actions:project_archive_accept",
        "registry.projects.stages:preconditions",
    )),
    27: ("self-evaluation 12–24 months after acceptance", (
        "registry.projects.actions:project_transition",
        "registry.projects.records_actions:project_post_evaluation",
    )),
    28: ("share as required, no repeated collection, the master directory: else no O&M funding, no new systems", (
        "importers.provided:message",
        "registry.catalog.store:_directory_owns_merged",
        "registry.funding.budget:not_in_directory_reason",
        "registry.funding.directory:apply_event",
        "registry.funding.directory:directory_admit",
        "registry.funding.directory:directory_merge",
        "registry.funding.directory:directory_retire",
        "registry.measures.directory_28:confirmed_duplicate",
        "registry.measures.directory_28:exemption_unapproved",
        "registry.measures.directory_28:not_in_directory",
        "registry.measures.directory_28:not_sharing",
        "registry.measures.sharing_28:check",
        "registry.projects.due:sharing_to_answer",
        "registry.sharing.proposals:sharing_request_propose_from_finding",
        "search.duplicates.scan:item_findings",
    )),
    29: ("crypto / cybersecurity / major risk: no O&M funding, no new or extended systems", (
        "registry.measures.funding_25_30:_evaluation",
        "registry.measures.funding_25_30:crypto_noncompliant",
        "registry.measures.funding_25_30:cybersecurity_noncompliant",
        "registry.measures.funding_25_30:major_risk_open",
    )),
    30: ("legacy systems not integrated: no O&M funding, no new projects", (
        "registry.measures.funding_25_30:integration_pending",
    )),
    35: ("contractor blacklist for 5 years", (
        "registry.projects.records_actions:blacklist_check",
        "registry.projects.stages:blacklist_message",
        "registry.projects.stages:preconditions",
    )),
}


def implementations(article: int) -> tuple[str, ...]:
    """The functions that apply `article` (empty when the registry does not implement it)."""
    return ARTICLES.get(article, ("", ()))[1]
