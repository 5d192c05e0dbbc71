"""Find a record by id or slug name, or raise NotFound with a Chinese message."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog_schema.fields import MAX_DB_INT
from registry.core.errors import NotFound, ValidationFailed
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit


def _get(session: Session, model, ref, slug_column, label: str, field: str):
    if ref is None or ref == "":
        raise ValidationFailed({field: [f"缺少{label}"]})
    obj = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdecimal()):
        obj = session.get(model, int(ref)) if 0 <= int(ref) <= MAX_DB_INT else None
    if obj is None and slug_column is not None and isinstance(ref, str):
        obj = session.scalar(select(model).where(slug_column == ref))
    if obj is None:
        raise NotFound(f"{label}“{ref}”不存在")
    return obj


def get_unit(session: Session, ref, field: str = "unit") -> Unit:
    return _get(session, Unit, ref, Unit.code, "单位", field)


def get_system(session: Session, ref, field: str = "system") -> InformationSystem:
    return _get(session, InformationSystem, ref, InformationSystem.code, "信息系统", field)


def get_resource(session: Session, ref, field: str = "id") -> InformationResource:
    return _get(session, InformationResource, ref, InformationResource.name, "信息资源", field)


def get_item(session: Session, ref, field: str = "id") -> InformationItem:
    return _get(session, InformationItem, ref, None, "信息项", field)
