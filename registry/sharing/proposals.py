"""A confirmed duplicate finding (重复采集, Art. 28) proposes a sharing request from the
re-collecting unit to the provider the Bureau named, pre-filled with the matched items.

The proposal is a draft (read-only): the re-collecting unit completes purpose and scenario and
submits it with `sharing_request_create` (origin "finding").
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from registry.core.actions import Context, action
from registry.core.authz import require_login
from registry.core.errors import Conflict, NotAuthorized, NotFound
from registry.measures import basis
from registry.catalog.models import InformationItem, InformationResource, InformationSystem
from registry.sharing.schemas import IdSchema


def _auth(ctx: Context, data: dict) -> None:
    require_login(ctx)
    if ctx.user.role not in ("department", "bureau", "admin"):
        raise NotAuthorized("只有重复采集方单位或大数据局可以据线索拟定共享申请")


def _matched_items(ctx: Context, finding, provider_id: int) -> list[tuple[int, int, str]]:
    """(resource id, item id, item name) of the provider system's items the finding matched."""
    from search.models import ItemElement
    E, I = ItemElement, InformationItem
    stmt = (select(E.resource_id, I.id, I.name).join(I, I.id == E.item_id)
            .where(E.system_id == provider_id).order_by(E.resource_id, I.position, I.id))
    if finding.kind == "item":
        return list(ctx.session.execute(stmt.where(E.key == finding.key)).all())
    keys = list((finding.evidence or {}).get("shared_keys") or [])
    rows = list(ctx.session.execute(stmt.where(E.key.in_(keys)).where(E.resource_id == finding.other_resource_id)).all()) \
        if keys else []
    return rows or (list(ctx.session.execute(stmt.where(E.key.in_(keys))).all()) if keys else [])


def _proposable(ctx: Context, data: dict):
    """The finding, its provider and requester systems and matched items; refuses a finding that
    cannot start a request (not confirmed, no provider named, systems deleted, nothing matched)."""
    from search.models import DuplicateFinding
    from catalog_schema.fields import is_db_id
    ref = data.get("id")
    ref = int(ref) if isinstance(ref, str) and ref.isdecimal() else ref
    finding = ctx.session.get(DuplicateFinding, ref) if is_db_id(ref) else None
    if finding is None:
        raise NotFound(f"重复采集线索“{data['id']}”不存在")
    if ctx.user.role == "department" and ctx.user.unit_id != finding.unit_id:
        raise NotAuthorized("只能为本单位的重复采集线索拟定共享申请")
    if finding.state != "confirmed" or not finding.must_reuse_from_system_id:
        raise Conflict("只有已确认（并指定了提供方系统）的重复采集线索可以拟定共享申请")
    provider = ctx.session.get(InformationSystem, finding.must_reuse_from_system_id)
    requester = ctx.session.get(InformationSystem, finding.system_id)
    if provider is None or requester is None:
        raise Conflict("线索涉及的信息系统已被删除，无法拟定共享申请")
    matched = _matched_items(ctx, finding, provider.id)
    if not matched:
        raise Conflict(f"未在“{provider.name}”中找到与线索匹配的信息项，请从该系统的信息资源页面申请")
    return finding, provider, requester, matched


@action("sharing_request_propose_from_finding", auth=_auth, schema=IdSchema, read_only=True, ready=_proposable)
def sharing_request_propose_from_finding(ctx: Context, data: dict) -> dict:
    """The draft request a confirmed finding implies: provider resource, matched items, own system."""
    finding, provider, requester, matched = _proposable(ctx, data)
    counts = Counter(r[0] for r in matched)
    resource_id = max(counts, key=lambda r: (counts[r], -r))
    res = ctx.session.get(InformationResource, resource_id)
    items = [{"id": item_id, "name": name} for rid, item_id, name in matched if rid == resource_id]
    return {
        "finding": finding.id, "origin": "finding", "resource": res.id, "resource_name": res.name,
        "resource_title": res.title, "provider_unit_id": provider.unit_id, "provider_unit_name": provider.unit.name,
        "provider_system_id": provider.id, "provider_system_name": provider.name,
        "requester_system": requester.id, "requester_system_name": requester.name,
        "items": items, "sharing_method": res.sharing_method or "platform",
        "purpose": f"复用{provider.unit.name}已采集的“{finding.element_name}”，不再重复采集",
        "scenario": "",
        "basis": f"{basis(28)}；重复采集线索 #{finding.id} 已确认",
    }
