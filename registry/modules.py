"""The explicit list of the registry's parts. A capability plugs in by adding its modules here.

No discovery: what is not listed here does not run, so reading this file tells what the
application contains.
"""
from __future__ import annotations

# Modules whose import registers actions (registry.actions.base.action).
ACTION_MODULES = [
    "registry.actions.catalog",
    "registry.actions.packages",
    "registry.actions.ckan",
    "registry.actions.accounts",
    "registry.actions.sessions",
    "search.actions",
    "importers.actions",
    "registry.funding.directory",
    "registry.funding.evidence",
    "registry.funding.actions",
    "registry.projects.actions",
    "registry.projects.records_actions",
    "registry.projects.due",
    "registry.projects.declaration",
    "registry.sharing.actions",
    "registry.dashboard_actions",
    "registry.pickers",
    "registry.demo",
    "registry.jobs",
]

# Modules that define mapped classes (so metadata is complete for Alembic and tests).
MODEL_MODULES = [
    "registry.models",
    "search.models",
    "registry.funding.models",
    "registry.projects.models",
    "registry.sharing.models",
]

# Modules with a `register(main)` function adding click commands to `registry`.
CLI_MODULES: list[str] = [
    "search.cli",
    "registry.funding.cli",
    "importers.cli",
    "registry.projects.cli",
    "registry.sharing.cli",
    "registry.backup_cli",
]

# Modules with a `bp` blueprint for the web pages.
WEB_MODULES = [
    "registry.health",
    "registry.web.auth_views",
    "registry.web.admin_views",
    "registry.web.catalog_views",
    "registry.web.duplicate_views",
    "registry.funding.views",
    "registry.projects.views",
    "registry.web.import_views",
    "registry.sharing.views",
    "registry.openapi",
    "registry.web.dashboards",
    "registry.web.job_views",
]

# Modules registering O&M funding rules (registry.funding.rules_base.funding_rule).
FUNDING_RULE_MODULES: list[str] = [
    "registry.funding.rules_sharing",
    "registry.funding.rules_compliance",
    "registry.projects.funding_rules",
    "registry.sharing.funding_rules",
]
