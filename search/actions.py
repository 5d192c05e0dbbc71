"""Actions of the search layer: item search, duplicate findings and their review, the unit × unit
overlap matrix, the "already provided by" lookup, scans and reindexing."""
from __future__ import annotations

from collections import defaultdict
from functools import cache

from marshmallow import EXCLUDE, fields, validate
from sqlalchemy import case, func, select

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import ChineseSchema, Int, NoInput, Ref, Text, Vocab
from registry import audit
from registry.actions.base import Context, action
from registry.authz import allow_public, require_login, require_role
from registry.db import in_chunks, utcnow
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.lookup import get_system
from registry.models import InformationItem, InformationResource, InformationSystem, Unit
from registry.ordering import Sort, ordered
from search.documents import matcher, provides, search_text
from search.models import DuplicateFinding, ItemElement
from search.scan import counts_for_duplication, holder_dict

STATE_LABELS = {"open": "待审核", "confirmed": "已确认重复采集", "dismissed": "已排除"}
ROLE_LABELS = {"recollector": "重复采集方", "undecided": "待认定", "provider": "提供方"}
ITEM_SORTS = ("relevance", "name", "unit", "system", "resource")
FINDING_SORTS = ("kind", "id", "element", "unit", "system", "role", "state", "score")


class ReadSchema(ChineseSchema):
    class Meta:
        unknown = EXCLUDE


class ItemSearchSchema(ReadSchema):
    q = Text("检索词", max_length=100, load_default="")
    unit = Ref("单位")
    data_element = Text("数据元", max_length=20)
    rows = Int("条数", minimum=0, maximum=1000, load_default=20)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(ITEM_SORTS)


@action("item_search", auth=allow_public, schema=ItemSearchSchema, read_only=True)
def item_search(ctx: Context, data: dict) -> dict:
    """Search information items by name (substring) or data element; exact element matches first
    (sort relevance), or sorted by name, unit, system or resource."""
    from search.embedded import query_elements
    from search.result_cache import ITEMS, cached_dicts, ranked_page
    from search.text_index import names_containing
    I, E, R, S, U = InformationItem, ItemElement, InformationResource, InformationSystem, Unit
    session = ctx.session
    elements = query_elements(data["q"]) if data["q"] else []

    @cache  # (built only when the answer is not cached)
    def conditions() -> list:
        found = []
        if data["q"]:  # the items whose name contains the query, found through the distinct names
            # (the names as a list, not a subquery: PostgreSQL then ORs two index scans, no table scan)
            text_match = E.name.in_(list(session.scalars(names_containing(session, search_text(data["q"])))))
            found.append(text_match | E.element_id.in_(elements) if elements else text_match)
        if data.get("data_element"):
            found.append(E.element_id == data["data_element"])
        if data.get("unit") is not None:
            unit = data["unit"]
            found.append(E.unit_id == unit if isinstance(unit, int)
                         else E.unit_id.in_(select(U.id).where(U.code == unit)))
        return found

    def ranked():
        relevance = case((E.element_id.in_(elements), 0), else_=1) if elements else E.item_id
        stmt = select(E.item_id).where(*conditions())
        if data["sort"] and data["sort"][0] != "relevance":
            stmt = (stmt.join(I, I.id == E.item_id).join(R, R.id == E.resource_id).join(S, S.id == R.system_id)
                    .join(U, U.id == R.unit_id))
        return ordered(stmt, data["sort"], {"relevance": relevance, "name": I.name, "unit": U.name, "system": S.name,
                                            "resource": R.title}, ("relevance", False), E.item_id)

    key = ("item_search", data["q"], data.get("unit"), data.get("data_element"), data["sort"])
    start, rows = data["start"] or 0, 20 if data["rows"] is None else data["rows"]  # (null: the defaults)
    found, ids = ranked_page(session, key, start, rows, ranked=ranked,
                             count=lambda: session.scalar(select(func.count()).select_from(E).where(*conditions())))
    return {"count": found.count, "results": cached_dicts(session, ITEMS, ids, lambda some: _item_rows(session, some))}


def _item_rows(session, ids: list[int]) -> list[dict]:
    I, E, R, S, U = InformationItem, ItemElement, InformationResource, InformationSystem, Unit
    rows = session.execute(
        select(I.id, I.name, I.data_type, I.data_length, E.element_id, E.confidence, R.id, R.name, R.title,
               R.sharing_type, R.sharing_method, S.id, S.name, U.id, U.code, U.name)
        .join(E, E.item_id == I.id, isouter=True).join(R, R.id == I.resource_id).join(S, S.id == R.system_id)
        .join(U, U.id == R.unit_id).where(I.id.in_(ids)))
    elements_by_id = _element_names()
    return [
        {"id": r[0], "name": r[1], "data_type": r[2], "data_type_label": vocab.DATA_TYPE.label_of(r[2]),
         "data_length": r[3], "data_element": r[4], "data_element_name": elements_by_id.get(r[4], ""),
         "confidence": r[5], "resource_id": r[6], "resource_name": r[7], "resource_title": r[8],
         "sharing_type": r[9], "sharing_type_label": vocab.SHARING_TYPE.label_of(r[9]),
         "sharing_method": r[10], "sharing_method_label": vocab.SHARING_METHOD.label_of(r[10]),
         "system_id": r[11], "system_name": r[12], "unit_id": r[13], "unit_code": r[14], "unit_name": r[15]}
        for r in rows]


def _element_names() -> dict[str, str]:
    from search.scan import _elements
    return {k: e.name for k, e in _elements().items()}


class ProviderLookupSchema(ReadSchema):
    name = Text("信息项名称", max_length=200, required=True, blank=False)
    data_type = Vocab(vocab.DATA_TYPE)
    data_length = Int("数据长度", minimum=1, maximum=1_000_000)
    unit = Ref("本单位")


@action("item_provider_lookup", auth=allow_public, schema=ProviderLookupSchema, read_only=True)
def item_provider_lookup(ctx: Context, data: dict) -> dict:
    """Before saving an item: which other units already provide it, and how to obtain it."""
    match = matcher().match(data["name"], data.get("data_type"), data.get("data_length"))
    result = {"data_element": match.element_id, "data_element_name": _element_names().get(match.element_id, ""),
              "confidence": match.confidence, "providers": []}
    if match.key is None or not counts_for_duplication(match.element_id):
        return result
    own_unit = None
    if data.get("unit") is not None:
        ref = data["unit"]
        own_unit = ref if isinstance(ref, int) else ctx.session.scalar(select(Unit.id).where(Unit.code == ref))
    elif ctx.user is not None and getattr(ctx.user, "unit_id", None):
        own_unit = ctx.user.unit_id
    R, E = InformationResource, ItemElement
    rows = ctx.session.execute(
        select(Unit.name, InformationSystem.name, R.title, R.name, R.sharing_type, R.sharing_method,
               InformationItem.name, InformationItem.sharing_type)
        .select_from(E).join(InformationItem, InformationItem.id == E.item_id).join(R, R.id == E.resource_id)
        .join(InformationSystem, InformationSystem.id == R.system_id).join(Unit, Unit.id == R.unit_id)
        .where(E.key == match.key, E.unit_id != (own_unit or -1))
        .order_by(Unit.name, R.title).limit(50)).all()
    for unit_name, system_name, title, res_name, sharing, method, item_name, item_sharing in rows:
        effective = item_sharing or sharing
        if provides(effective, method):
            result["providers"].append({
                "unit": unit_name, "system": system_name, "resource": title, "resource_name": res_name,
                "item": item_name, "sharing_type": effective, "sharing_type_label": vocab.SHARING_TYPE.label_of(effective),
                "sharing_method": method, "sharing_method_label": vocab.SHARING_METHOD.label_of(method)})
    return result


def finding_dict(f: DuplicateFinding, names: dict | None = None) -> dict:
    names = names or {}
    return {"id": f.id, "kind": f.kind, "kind_label": "信息项" if f.kind == "item" else "信息资源",
            "key": f.key, "data_element": f.element_id, "element_name": f.element_name,
            "system_id": f.system_id, "system_name": names.get(("system", f.system_id), ""),
            "unit_id": f.unit_id, "unit_name": names.get(("unit", f.unit_id), ""),
            "resource_id": f.resource_id, "other_resource_id": f.other_resource_id,
            "role": f.role, "role_label": ROLE_LABELS[f.role], "provider_system_id": f.provider_system_id,
            "provider_system_name": names.get(("system", f.provider_system_id), ""),
            "score": f.score, "evidence": resolve_evidence(f, names), "state": f.state,
            "state_label": STATE_LABELS[f.state],
            "active": f.active, "must_reuse_from_system_id": f.must_reuse_from_system_id,
            "must_reuse_from_system_name": names.get(("system", f.must_reuse_from_system_id), ""),
            "reason": f.reason, "reviewed_by": f.reviewed_by,
            "reviewed_at": f.reviewed_at.isoformat() if f.reviewed_at else None,
            "first_seen": f.first_seen.isoformat(), "last_seen": f.last_seen.isoformat()}


def _holders(f: DuplicateFinding) -> list[dict]:
    return [holder_dict(h) for part in ("items", "others") for h in f.evidence.get(part, [])] \
        if f.kind == "item" else []


def resolve_evidence(f: DuplicateFinding, names: dict) -> dict:
    """The stored evidence (ids) with the current unit, system, resource and item names filled in
    (an item deleted since the scan shows as such; its finding turns inactive on the next refresh)."""
    evidence = dict(f.evidence)
    if f.kind == "item":
        for part in ("items", "others"):
            evidence[part] = [{**h, "unit": names.get(("unit", h["unit_id"]), ""),
                               "system": names.get(("system", h["system_id"]), ""),
                               "resource": names.get(("resource", h["resource_id"]), ""),
                               **dict(zip(("item", "data_type", "data_length"),
                                          names.get(("item", h["item_id"]), ("（已删除）", None, None))))}
                              for h in map(holder_dict, evidence.get(part, []))]
    else:
        evidence["other_unit"] = names.get(("unit", evidence.get("other_unit_id")), "")
        evidence["other_system"] = names.get(("system", evidence.get("other_system_id")), "")
    return evidence


def _names(ctx: Context, findings: list[DuplicateFinding]) -> dict:
    system_ids, unit_ids, resource_ids, item_ids = set(), set(), set(), set()
    for f in findings:
        system_ids |= {f.system_id, f.provider_system_id, f.must_reuse_from_system_id,
                       f.evidence.get("other_system_id")}
        unit_ids |= {f.unit_id, f.evidence.get("other_unit_id")}
        for h in _holders(f):
            system_ids.add(h["system_id"])
            unit_ids.add(h["unit_id"])
            resource_ids.add(h["resource_id"])
            item_ids.add(h["item_id"])
    names = {}
    for kind, model, column, ids in (("system", InformationSystem, InformationSystem.name, system_ids),
                                     ("unit", Unit, Unit.name, unit_ids),
                                     ("resource", InformationResource, InformationResource.title, resource_ids)):
        for chunk in in_chunks(sorted(i for i in ids if i)):
            names.update({(kind, i): n for i, n in ctx.session.execute(
                select(model.id, column).where(model.id.in_(chunk)))})
    for chunk in in_chunks(sorted(item_ids)):
        names.update({("item", i): (name, dtype, length) for i, name, dtype, length in ctx.session.execute(
            select(InformationItem.id, InformationItem.name, InformationItem.data_type, InformationItem.data_length)
            .where(InformationItem.id.in_(chunk)))})
    return names


def _finding_reader(ctx: Context, data: dict) -> None:
    require_login(ctx)


class DuplicateListSchema(ReadSchema):
    state = fields.String(validate=validate.OneOf(list(STATE_LABELS), error="状态只能是 open、confirmed 或 dismissed"))
    kind = fields.String(validate=validate.OneOf(["item", "resource"], error="类型只能是 item 或 resource"))
    role = fields.String(validate=validate.OneOf(list(ROLE_LABELS), error="角色取值无效"))
    unit = Ref("单位")
    system = Ref("信息系统")
    data_element = Text("数据元", max_length=20)
    include_inactive = fields.Boolean(load_default=False)
    rows = Int("条数", minimum=0, maximum=5000, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(FINDING_SORTS)


@action("duplicate_list", auth=_finding_reader, schema=DuplicateListSchema, read_only=True)
def duplicate_list(ctx: Context, data: dict) -> dict:
    """Duplicate-collection findings, filtered; a department user sees its own unit's. Sorted by
    kind and data element unless `sort` names id, element, unit, system, role, state or score."""
    F = DuplicateFinding
    stmt = (select(F).outerjoin(Unit, Unit.id == F.unit_id)
            .outerjoin(InformationSystem, InformationSystem.id == F.system_id))
    if not data["include_inactive"]:
        stmt = stmt.where(F.active.is_(True))
    for key in ("state", "kind", "role"):
        if data.get(key):
            stmt = stmt.where(getattr(F, key) == data[key])
    if data.get("data_element"):
        stmt = stmt.where(F.element_id == data["data_element"])
    if data.get("unit") is not None:
        unit = data["unit"]
        stmt = stmt.where(F.unit_id == (unit if isinstance(unit, int) else
                                        ctx.session.scalar(select(Unit.id).where(Unit.code == unit))))
    if data.get("system") is not None:
        stmt = stmt.where(F.system_id == get_system(ctx.session, data["system"], "system").id)
    if ctx.user.role == "department":
        stmt = stmt.where(F.unit_id == ctx.user.unit_id)
    count = ctx.session.scalar(select(func.count()).select_from(stmt.subquery()))
    stmt = ordered(stmt, data["sort"], {
        "kind": (F.kind, F.element_name), "id": F.id, "element": F.element_name, "unit": Unit.name,
        "system": InformationSystem.name, "role": F.role, "state": F.state, "score": F.score}, ("kind", False), F.id)
    rows = list(ctx.session.scalars(stmt.offset(data["start"]).limit(data["rows"])))
    names = _names(ctx, rows)
    return {"count": count, "results": [finding_dict(f, names) for f in rows]}


def _get_finding(ctx: Context, ref) -> DuplicateFinding:
    finding = ctx.session.get(DuplicateFinding, ref) if isinstance(ref, int) else None
    if finding is None:
        raise NotFound(f"重复采集线索“{ref}”不存在")
    return finding


class FindingIdSchema(ReadSchema):
    id = Int("线索编号", required=True, minimum=1)


@action("duplicate_show", auth=_finding_reader, schema=FindingIdSchema, read_only=True)
def duplicate_show(ctx: Context, data: dict) -> dict:
    """One finding with its evidence."""
    finding = _get_finding(ctx, data["id"])
    if ctx.user.role == "department" and finding.unit_id != ctx.user.unit_id:
        from registry.errors import NotAuthorized
        raise NotAuthorized("只能查看本单位的重复采集线索")
    return finding_dict(finding, _names(ctx, [finding]))


class DuplicateReviewSchema(ChineseSchema):
    id = Int("线索编号", required=True, minimum=1)
    decision = fields.String(required=True, validate=validate.OneOf(
        ["confirm", "dismiss", "reopen"], error="审核结论只能是 confirm（确认重复采集）、dismiss（排除）或 reopen（重新打开）"),
        error_messages={"required": "审核结论为必填项"})
    must_reuse_from = Ref("应复用的提供方系统")
    reason = Text("理由", max_length=2000, load_default="")


def _bureau(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


@action("duplicate_review", auth=_bureau, schema=DuplicateReviewSchema)
def duplicate_review(ctx: Context, data: dict) -> dict:
    """The Bureau confirms a finding (重复采集: the system must reuse the provider's shared data,
    which blocks its O&M funding under Art. 28), dismisses it with a reason, or reopens it."""
    finding = _get_finding(ctx, data["id"])
    before = audit.snapshot(finding, ("evidence", "first_seen", "last_seen"))
    decision = data["decision"]
    if decision == "confirm":
        provider_ref = data.get("must_reuse_from") or finding.provider_system_id
        if not provider_ref:
            raise ValidationFailed({"must_reuse_from": ["确认重复采集须指定应复用数据的提供方系统"]})
        provider = get_system(ctx.session, provider_ref, "must_reuse_from")
        if provider.unit_id == finding.unit_id:
            raise ValidationFailed({"must_reuse_from": ["提供方系统须属于其他单位"]})
        finding.state, finding.must_reuse_from_system_id = "confirmed", provider.id
    elif decision == "dismiss":
        if not data["reason"]:
            raise ValidationFailed({"reason": ["排除线索须说明理由（如：口径不同）"]})
        finding.state, finding.must_reuse_from_system_id = "dismissed", None
    else:
        if finding.state == "open":
            raise Conflict("该线索已处于待审核状态")
        finding.state, finding.must_reuse_from_system_id = "open", None
    finding.reason, finding.reviewed_by, finding.reviewed_at = data["reason"], ctx.username, utcnow()
    ctx.session.flush()
    audit.record(ctx, "duplicate_review", "duplicate_finding", finding.id, before,
                 audit.snapshot(finding, ("evidence", "first_seen", "last_seen")), f"{decision}: {finding.element_name}")
    return finding_dict(finding, _names(ctx, [finding]))


class OverlapSchema(ReadSchema):
    state = fields.String(load_default=None)


@action("overlap_matrix", auth=allow_public, schema=OverlapSchema, read_only=True)
def overlap_matrix(ctx: Context, data: dict) -> dict:
    """Unit × unit: how many duplication-relevant data elements both units collect."""
    rows = ctx.session.execute(select(ItemElement.unit_id, ItemElement.key, ItemElement.element_id)
                               .where(ItemElement.key.is_not(None)).distinct()).all()
    keys_by_unit: dict[int, set[str]] = defaultdict(set)
    for unit_id, key, element_id in rows:
        if counts_for_duplication(element_id):
            keys_by_unit[unit_id].add(key)
    units = ctx.session.execute(select(Unit.id, Unit.code, Unit.name).order_by(Unit.code)).all()
    units = [u for u in units if u[0] in keys_by_unit]
    confirmed = defaultdict(int)
    for unit_id, provider_unit in ctx.session.execute(
            select(DuplicateFinding.unit_id, InformationSystem.unit_id)
            .join(InformationSystem, InformationSystem.id == DuplicateFinding.must_reuse_from_system_id)
            .where(DuplicateFinding.state == "confirmed", DuplicateFinding.active.is_(True))):
        confirmed[(unit_id, provider_unit)] += 1
    matrix = [[len(keys_by_unit[a[0]] & keys_by_unit[b[0]]) if a[0] != b[0] else len(keys_by_unit[a[0]])
               for b in units] for a in units]
    return {"units": [{"id": u[0], "code": u[1], "name": u[2]} for u in units], "matrix": matrix,
            "confirmed": [[confirmed.get((a[0], b[0]), 0) for b in units] for a in units]}


class ScanSchema(ChineseSchema):
    full = fields.Boolean(load_default=True)


def _scanner(ctx: Context, data: dict) -> None:
    require_role(ctx, "bureau")


def _item_count(ctx: Context) -> int:
    from registry.models import InformationItem
    return ctx.session.scalar(select(func.count(InformationItem.id))) or 0


@action("duplicate_scan", auth=_scanner, schema=ScanSchema)
def duplicate_scan(ctx: Context, data: dict) -> dict:
    """Rebuild every item mapping and recompute every finding (reviews are kept). Progress: items mapped."""
    from search.scan import full_scan
    items = _item_count(ctx)
    ctx.progress.start(items, "映射信息项")
    return {**full_scan(ctx.session, progress=ctx.progress.advance), "items": items}


@action("search_reindex", auth=_scanner, schema=NoInput)
def search_reindex(ctx: Context, data: dict) -> dict:
    """Rebuild the search index from the database (the one source of truth). Progress: items indexed."""
    ctx.progress.start(_item_count(ctx), "重建索引")
    return {"resources": ctx.search.reindex(ctx.session, progress=ctx.progress.advance), "backend": ctx.search.name}
