"""Art. 13: the parts of a cross-department project must not duplicate each other's content.

Uses the duplicate engine's item → data-element keys (search.models.ItemElement): a key held by
items in the catalogs of two or more parts is a data element those parts would both collect.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from registry.catalog.models import InformationItem, InformationResource
from registry.projects.models import Project
from registry.measures import cite
from search.duplicates.elements import AUTO_ACCEPT
from search.models import ItemElement


def project_overlap(session, project: Project, public_only: bool = False) -> dict:
    """`public_only`: over the resources open to the public alone (an anonymous caller)."""
    part_of: dict[int, object] = {}
    for part in project.parts:
        for resource_id in part.resource_ids or []:
            part_of.setdefault(resource_id, part)
    overlaps: list[dict] = []
    if part_of:
        rows = session.execute(
            select(ItemElement.key, ItemElement.element_id, ItemElement.resource_id, InformationItem.name,
                   InformationResource.title)
            .join(InformationItem, InformationItem.id == ItemElement.item_id)
            .join(InformationResource, InformationResource.id == ItemElement.resource_id)
            .where(ItemElement.resource_id.in_(part_of), ItemElement.key.is_not(None),
                   ItemElement.confidence >= AUTO_ACCEPT,
                   *([InformationResource.open_to_public.is_(True)] if public_only else []))
            .order_by(ItemElement.key, ItemElement.item_id)).all()
        by_key: dict[str, list] = defaultdict(list)
        for key, element_id, resource_id, item_name, title in rows:
            by_key[key].append((element_id, part_of[resource_id], item_name, title))
        for key, hits in by_key.items():
            parts = {part.id for _, part, _, _ in hits}
            if len(parts) < 2:
                continue
            overlaps.append({
                "key": key, "element_id": hits[0][0], "name": hits[0][2],
                "parts": [{"part_id": part.id, "unit_id": part.unit_id, "unit_name": part.unit.name,
                           "items": sorted({f"{title}·{item}" for _, p, item, title in hits if p.id == part.id})}
                          for part in project.parts if part.id in parts]})
    message = (f"{cite(13)}，各参建部门的数据目录有 {len(overlaps)} 个数据元重复，应确保建设内容无重复交叉"
               if overlaps else f"{cite(13)}，各参建部门的数据目录没有发现重复的数据元")
    return {"project": project.id, "parts": len(project.parts), "count": len(overlaps), "overlaps": overlaps,
            "ok": not overlaps, "message": message}
