"""Importing this module registers every sharing action (listed once in registry.modules)."""
from registry.sharing import calendar, inbox, proposals, records, requests, stats  # noqa: F401
