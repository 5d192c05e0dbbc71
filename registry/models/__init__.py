"""All mapped classes, imported here so Alembic and the app see one metadata."""
from registry.db import Base
from registry.models.catalog import InformationItem, InformationResource, InformationSystem, Unit
from registry.models.accounts import ApiToken, LoginThrottle, User
from registry.models.audit import AuditLog
from registry.models.jobs import Job

__all__ = ["Base", "Unit", "InformationSystem", "InformationResource", "InformationItem",
           "User", "ApiToken", "LoginThrottle", "AuditLog", "Job"]
