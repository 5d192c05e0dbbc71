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
    "search.actions",
    "importers.actions",
]

# Modules that define mapped classes (so metadata is complete for Alembic and tests).
MODEL_MODULES = [
    "registry.models",
    "search.models",
]

# Modules with a `register(main)` function adding click commands to `registry`.
CLI_MODULES: list[str] = [
    "search.cli",
]

# Modules with a `bp` blueprint for the web pages.
WEB_MODULES = [
    "registry.health",
    "registry.web.auth_views",
    "registry.web.catalog_views",
    "registry.web.duplicate_views",
]

# Modules registering O&M funding rules (registry.funding.rules_base.funding_rule).
FUNDING_RULE_MODULES: list[str] = []
