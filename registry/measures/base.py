"""The funding-rule interface every capability uses to add a rule (projects, sharing, …).

A rule is a small function over prefetched records that returns the reasons it blocks a system
(an empty list: no objection). Each reason cites its article in Chinese. Rules run in batches:
`prepare` loads what the rule needs for every system of the batch in a few queries, so a report
over thousands of systems stays fast; `check` then looks one system up in that data.

A county switches a rule off with REGISTRY_POLICY_DISABLED_RULES=<rule id>,… ; a rule registered with
`enabled_by=<Policy flag>` (a county's own rule the measures do not contain) runs only when that flag is on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from sqlalchemy.orm import Session

from registry.measures import article_name, cite  # noqa: F401  (the one citation; re-exported for old imports)

ARTICLE_NAMES = {n: article_name(n) for n in range(1, 100)}   # every article (the old map missed 9)

# What a rule answers: O&M funding for a system next budget year, or whether the system's unit may
# start a new project or build/extend a system (Art. 28, 29, 30).
OM_FUNDING = "om_funding"
NEW_PROJECT = "new_project"


@dataclass(frozen=True)
class Reason:
    rule: str                      # the rule id
    articles: tuple[int, ...]      # e.g. (28,)
    message: str                   # Chinese, starts with cite(...)
    evidence: tuple[dict, ...] = ()  # the records (or the missing record) behind it

    @property
    def article_text(self) -> str:
        return "、".join(article_name(a) for a in self.articles)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "articles": list(self.articles), "article_text": self.article_text,
                "message": self.message, "evidence": list(self.evidence)}


@dataclass
class Batch:
    """One evaluation run: the systems asked about, the budget year, and each rule's prefetched data."""

    session: Session
    year: int                       # the budget year asked about (e.g. 2027)
    as_of: date                     # the day the decision is made
    policy: Any                     # registry.core.config.Policy
    system_ids: list[int]
    systems: dict[int, Any] = field(default_factory=dict)   # id → InformationSystem
    data: dict[str, Any] = field(default_factory=dict)      # rule id → what its prepare() loaded


@dataclass(frozen=True)
class Rule:
    id: str
    articles: tuple[int, ...]
    title: str                                     # Chinese, shown in reports
    check: Callable[[Batch, int], list[Reason]]    # (batch, system id) → reasons
    prepare: Callable[[Batch], Any] | None = None  # loads batch.data[id]
    questions: frozenset[str] = frozenset((OM_FUNDING,))
    enabled_by: str | None = None                  # a Policy flag: the rule runs only when the county opts in


RULES: dict[str, Rule] = {}


def funding_rule(rule_id: str, articles: tuple[int, ...], title: str, *, prepare=None,
                 questions=(OM_FUNDING,), enabled_by: str | None = None):
    """Register `check` as a funding rule. Modules defining rules are listed in
    registry.modules.FUNDING_RULE_MODULES."""

    def register(check):
        if rule_id in RULES:
            raise RuntimeError(f"funding rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, tuple(articles), title, check, prepare, frozenset(questions), enabled_by)
        return check

    return register


def load_rules() -> dict[str, Rule]:
    import importlib

    from registry.modules import FUNDING_RULE_MODULES
    for module in FUNDING_RULE_MODULES:
        importlib.import_module(module)
    return RULES
