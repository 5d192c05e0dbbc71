"""The explicit list of the registry's parts. A capability plugs in by adding its modules here.

No discovery: what is not listed here does not run, so reading this file tells what the
application contains.
"""
from __future__ import annotations

# Modules whose import registers actions (registry.core.actions.action).
ACTION_MODULES = [
    "registry.catalog.actions",
    "registry.catalog.packages",
    "registry.catalog.ckan",
    "registry.accounts.actions",
    "registry.accounts.sessions",
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
    "registry.web.dashboard_actions",
    "registry.catalog.pickers",
    "registry.demo",
    "registry.core.jobs",
]

# Modules that define mapped classes (so metadata is complete for Alembic and tests).
MODEL_MODULES = [
    "registry.catalog.models", "registry.accounts.models", "registry.core.audit_log", "registry.core.jobs_model",
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
    "registry.web.health",
    "registry.accounts.views",
    "registry.web.admin_views",
    "registry.catalog.views",
    "search.duplicates.views",
    "registry.funding.views",
    "registry.projects.views",
    "importers.views",
    "registry.sharing.views",
    "registry.openapi",
    "registry.web.dashboards",
    "registry.web.job_views",
]

# Modules registering O&M funding rules (registry.measures.base.funding_rule).
FUNDING_RULE_MODULES: list[str] = [
    "registry.measures.directory_28",
    "registry.measures.funding_25_30",
    "registry.measures.project_list_7",
    "registry.measures.sharing_28",
]
