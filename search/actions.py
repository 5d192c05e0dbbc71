"""Actions of the search layer: item search, duplicate findings and their review, the unit × unit
overlap matrix, the "already provided by" lookup, scans and reindexing."""
from __future__ import annotations

from collections import defaultdict
from functools import cache

from marshmallow import EXCLUDE, fields, validate
from sqlalchemy import case, func, select

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import ChineseSchema, Int, NoInput, Ref, Text, Vocab
from registry.core import audit
from registry.core.actions import Context, action
from registry.core.authz import (allow_public, public_catalog_only, readable_by_resource, readable_resources, require_login,
                                 require_role)
from registry.core.db import in_chunks, utcnow
from registry.core.errors import Conflict, NotFound, ValidationFailed
from registry.catalog.lookup import get_system
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit
from registry.core.ordering import Sort, ordered
from registry.core.people import display_names
from search.engines.documents import matcher, search_text
from search.models import DuplicateFinding, ItemElement
from search.duplicates.scan import counts_for_duplication, holder_dict
from registry.core.names import by_pinyin, pinyin_key

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
    """Search information items by name (substring) or data element (an element's name or synonym,
    or an everyday word such as 社保, 公积金, 营业执照); exact element matches first (sort relevance),
    or sorted by name, unit, system or resource. Nothing found: `suggestions` lists the closest terms.
    Anonymous callers find only the items of resources open to the public."""
    from search.engines.embedded import query_elements
    from search.engines.result_cache import ITEMS, cached_dicts, ranked_page
    from search.engines.text_index import names_containing
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
        return found + readable_by_resource(ctx, E.resource_id)

    def ranked():
        relevance = case((E.element_id.in_(elements), 0), else_=1) if elements else E.item_id
        stmt = select(E.item_id).where(*conditions())
        if data["sort"] and data["sort"][0] != "relevance":
            stmt = (stmt.join(I, I.id == E.item_id).join(R, R.id == E.resource_id).join(S, S.id == R.system_id)
                    .join(U, U.id == R.unit_id))
        return ordered(stmt, data["sort"], {"relevance": relevance, "name": I.name, "unit": U.name, "system": S.name,
                                            "resource": R.title}, ("relevance", False), E.item_id)

    key = ("item_search", data["q"], data.get("unit"), data.get("data_element"), data["sort"], public_catalog_only(ctx))
    start, rows = data["start"] or 0, 20 if data["rows"] is None else data["rows"]  # (null: the defaults)
    found, ids = ranked_page(session, key, start, rows, ranked=ranked,
                             count=lambda: session.scalar(select(func.count()).select_from(E).where(*conditions())))
    result = {"count": found.count, "results": cached_dicts(session, ITEMS, ids, lambda some: _item_rows(session, some))}
    if not found.count and data["q"]:
        from search.engines.vocabulary import suggest_terms
        result["suggestions"] = suggest_terms(data["q"])  # 没有结果时：最接近的检索词
    return result


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
    from search.duplicates.scan import _elements
    return {k: e.name for k, e in _elements().items()}


class ProviderLookupSchema(ReadSchema):
    name = Text("信息项名称", max_length=200, required=True, blank=False)
    data_type = Vocab(vocab.DATA_TYPE)
    data_length = Int("数据长度", minimum=1, maximum=1_000_000)
    unit = Ref("本单位")
    providers_rows = Int("列出的提供方数", minimum=0, maximum=1000, load_default=100)


@action("item_provider_lookup", auth=allow_public, schema=ProviderLookupSchema, read_only=True)
def item_provider_lookup(ctx: Context, data: dict) -> dict:
    """Before saving an item: which other units already provide it, and how to obtain it. The provider
    is chosen by the same rule as the duplicate findings (search.duplicates.scan.provider_systems): the
    element's authoritative unit when it holds the item, else the units that share it. One entry per
    provider system (its first such item), the authority first, then by unit and resource name in
    pinyin order; `provider_count` counts them all, `providers` lists the first `providers_rows`
    (default 100). Anonymous callers see only providers through resources open to the public."""
    from search.duplicates.scan import provider_systems
    match = matcher().match(data["name"], data.get("data_type"), data.get("data_length"))
    result = {"data_element": match.element_id, "data_element_name": _element_names().get(match.element_id, ""),
              "confidence": match.confidence, "explanation": match.explanation(), "providers": [],
              "provider_count": 0}
    if match.key is None or not counts_for_duplication(match.element_id):
        return result
    own_unit = None
    if data.get("unit") is not None:
        ref = data["unit"]
        own_unit = ref if isinstance(ref, int) else ctx.session.scalar(select(Unit.id).where(Unit.code == ref))
    elif ctx.user is not None and getattr(ctx.user, "unit_id", None):
        own_unit = ctx.user.unit_id
    R, E = InformationResource, ItemElement
    holding = (E.key == match.key, E.unit_id != (own_unit or -1))
    # At province scale a common element has tens of thousands of holders: every system holding it
    # in one grouped query, then each provider system's first item in pinyin order chosen here
    # (SQL would compare every holder's title through the pinyin collation), then only those rows.
    systems = {system_id: (unit_id, bool(shares)) for system_id, unit_id, shares in ctx.session.execute(
        readable_resources(ctx, select(E.system_id, E.unit_id, func.max(case((E.shares, 1), else_=0)))
                           .join(R, R.id == E.resource_id).where(*holding).group_by(E.system_id, E.unit_id)))}
    names = {"unit": dict(ctx.session.execute(select(Unit.id, Unit.name)).all())}
    providers, authority = provider_systems(match.element_id, systems, names)
    first: dict[int, tuple] = {}   # provider system → (pinyin of the resource title, item id)
    if providers:
        for system_id, title, item_id in ctx.session.execute(readable_resources(
                ctx, select(E.system_id, R.title, E.item_id).join(R, R.id == E.resource_id).where(*holding))):
            if system_id in providers:
                order = (pinyin_key(title), item_id)
                if system_id not in first or order < first[system_id]:
                    first[system_id] = order
    ordered = sorted(first.items(), key=lambda s: (systems[s[0]][0] not in authority,
                                                   pinyin_key(names["unit"].get(systems[s[0]][0])), s[1]))
    result["provider_count"] = len(ordered)
    listed = [item_id for _, (_, item_id) in ordered[:data["providers_rows"]]]
    rows = {}
    for chunk in in_chunks(listed):
        rows.update((r[-1], r) for r in ctx.session.execute(
            select(Unit.id, Unit.name, InformationSystem.name, R.title, R.name, R.sharing_type, R.sharing_method,
                   InformationItem.name, InformationItem.sharing_type, InformationItem.id)
            .select_from(InformationItem).join(R, R.id == InformationItem.resource_id)
            .join(InformationSystem, InformationSystem.id == R.system_id).join(Unit, Unit.id == R.unit_id)
            .where(InformationItem.id.in_(chunk))))
    for item_id in listed:
        unit_id, unit_name, system_name, title, res_name, sharing, method, item_name, item_sharing, _ = rows[item_id]
        effective = item_sharing or sharing
        result["providers"].append({
            "unit": unit_name, "system": system_name, "resource": title, "resource_name": res_name,
            "item": item_name, "sharing_type": effective, "sharing_type_label": vocab.SHARING_TYPE.label_of(effective),
            "sharing_method": method, "sharing_method_label": vocab.SHARING_METHOD.label_of(method),
            "authority": unit_id in authority,
            "rule": "该数据元的权威来源单位" if unit_id in authority else "已通过共享平台或接口提供"})
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
            "score": f.score, "evidence": (evidence := resolve_evidence(f, names)),
            "explanation": explain_finding(f, evidence, names), "state": f.state,
            "state_label": STATE_LABELS[f.state],
            "active": f.active, "must_reuse_from_system_id": f.must_reuse_from_system_id,
            "must_reuse_from_system_name": names.get(("system", f.must_reuse_from_system_id), ""),
            "reason": f.reason, "reviewed_by": f.reviewed_by,
            "reviewed_by_name": names.get(("user", f.reviewed_by), f.reviewed_by or ""),
            "reviewed_at": f.reviewed_at.isoformat() if f.reviewed_at else None,
            "first_seen": f.first_seen.isoformat(), "last_seen": f.last_seen.isoformat()}


def _mapping_why(name: str, data_type, length, title: str | None) -> list[dict]:
    """How one item was mapped (each step with its score), as the scan maps it."""
    m = matcher()
    return m.in_context(m.match(name, data_type, length), title).explanation()


def explain_finding(f: DuplicateFinding, evidence: dict, names: dict) -> list[dict]:
    """Why this finding exists: each step of the judgement with its score (what matched, how the score
    was formed, who the provider is and by which rule)."""
    from search.duplicates.scan import HOLDERS_IN_EVIDENCE, RESOURCE_MIN_SCORE, RESOURCE_MIN_SHARED, _elements
    if f.kind == "resource":
        return [{"step": "共同数据元", "detail": f"两项信息资源有 {evidence.get('shared_count', 0)} 个相同的数据元"
                 f"（至少 {RESOURCE_MIN_SHARED} 个才成为线索）", "score": float(evidence.get("shared_count", 0))},
                {"step": "加权重合度", "detail": f"按稀有度加权，较小一方的数据元有 {f.score:.0%} 也在对方资源中"
                 f"（阈值 {RESOURCE_MIN_SCORE:.0%}；人人都有的姓名、身份证号权重低）", "score": f.score},
                {"step": "提供方", "detail": (f"对方资源已共享：{names.get(('system', f.provider_system_id), '')} 为提供方"
                 if f.role == "recollector" else "双方都未共享或都已共享：由大数据局认定提供方"), "score": f.score}]
    element = _elements().get(f.element_id) if f.element_id else None
    what = f"数据元 {element.id}“{element.name}”" if element else f"同名信息项“{f.element_name}”（不在数据元目录中）"
    qualifier = evidence.get("qualifier")
    steps = [{"step": "同一数据项", "detail": f"本系统与其他 {evidence.get('other_units', 0)} 个单位的 "
              f"{evidence.get('other_count', 0)} 个信息项都对应{what}" + (f"，且都属于“{qualifier}”" if qualifier else ""),
              "score": 1.0}]
    explained = set()
    for h in evidence.get("items", []):
        if h.get("item") in explained or len(explained) == HOLDERS_IN_EVIDENCE:
            continue  # one explanation per distinct item name
        explained.add(h.get("item"))
        for step in h.get("why", []):
            steps.append({**step, "step": f"本项“{h.get('item', '')}”：{step['step']}"})
    others = evidence.get("others", [])
    if others:
        first = others[0]
        for step in first.get("why", []):
            steps.append({**step, "step": f"{first.get('unit', '')}“{first.get('item', '')}”：{step['step']}"})
    own = min((h.get("confidence", 1.0) for h in evidence.get("items", [])), default=1.0)
    steps.append({"step": "线索分数", "detail": f"本系统信息项的最低置信度 {own:.2f} 与"
                  f"{'提供方' if f.role == 'recollector' else '首个其他持有方'}的置信度"
                  f" {others[0].get('confidence', 1.0) if others else 1.0:.2f} 取较小值", "score": f.score})
    provider = names.get(("system", f.provider_system_id), "")
    if evidence.get("authority") and element is not None:
        rule = f"{provider or '权威来源单位的系统'}属于“{element.name}”的权威来源单位（{element.source_unit}）：应复用其数据"
    elif f.role == "recollector":
        rule = f"{provider} 已以无条件或有条件共享方式通过共享平台或接口提供：应复用其数据"
    else:
        rule = "其他持有方都未共享、也没有权威来源单位：由大数据局认定提供方"
    steps.append({"step": "提供方（依据《管理办法》第二十八条）", "detail": rule, "score": f.score})
    return steps


def _holders(f: DuplicateFinding) -> list[dict]:
    return [holder_dict(h) for part in ("items", "others") for h in f.evidence.get(part, [])] \
        if f.kind == "item" else []


def resolve_evidence(f: DuplicateFinding, names: dict) -> dict:
    """The stored evidence (ids) with the current unit, system, resource and item names filled in
    (an item deleted since the scan shows as such; its finding turns inactive on the next refresh)."""
    evidence = dict(f.evidence)
    if f.kind == "item":
        for part in ("items", "others"):
            evidence[part] = [_resolved_holder(h, names) for h in map(holder_dict, evidence.get(part, []))]
    else:
        evidence["other_unit"] = names.get(("unit", evidence.get("other_unit_id")), "")
        evidence["other_system"] = names.get(("system", evidence.get("other_system_id")), "")
    return evidence


def _resolved_holder(h: dict, names: dict) -> dict:
    item = names.get(("item", h["item_id"]))
    resource = names.get(("resource", h["resource_id"]), "")
    resolved = {**h, "unit": names.get(("unit", h["unit_id"]), ""), "system": names.get(("system", h["system_id"]), ""),
                "resource": resource,
                **dict(zip(("item", "data_type", "data_length"), item or ("（已删除）", None, None)))}
    resolved["why"] = _mapping_why(item[0], item[1], item[2], resource) if item else []
    return resolved


def all_holders(ctx: Context, f: DuplicateFinding, names: dict | None = None, by_key: dict | None = None) -> list[dict]:
    """Every item holding this finding's data element now (all units, the flagged system first, then
    the providers, then by unit): what the finding page and the JSON export list in full. `by_key`
    keeps the resolved holders of each key across the findings of one call (a key like 姓名 is
    shared by every unit's finding)."""
    from search.duplicates.scan import MIN_CONFIDENCE
    if f.kind != "item" or not f.key:
        return []
    by_key = {} if by_key is None else by_key
    if f.key not in by_key:
        E = ItemElement
        rows = ctx.session.execute(
            select(E.unit_id, E.system_id, E.resource_id, E.item_id, E.confidence, E.shares)
            .where(E.key == f.key, E.confidence >= MIN_CONFIDENCE)).all()
        raw = [dict(zip(("unit_id", "system_id", "resource_id", "item_id", "confidence", "shares"), r)) for r in rows]
        names = names if names is not None else {}
        missing = {("unit", h["unit_id"]) for h in raw} | {("system", h["system_id"]) for h in raw} | \
            {("resource", h["resource_id"]) for h in raw} | {("item", h["item_id"]) for h in raw}
        _fill_names(ctx, names, {k for k in missing if k not in names})
        by_key[f.key] = [{**_resolved_holder(h, names), "confidence": round(h["confidence"], 3),
                          "shares": bool(h["shares"])} for h in raw]
    provider_units = {h["unit_id"] for h in by_key[f.key] if h["system_id"] == f.provider_system_id}
    holders = [{**h, "side": "本系统" if h["system_id"] == f.system_id else
                ("提供方" if h["system_id"] == f.provider_system_id else
                 ("已共享" if h["shares"] else "其他采集方"))} for h in by_key[f.key]]
    order = {"本系统": 0, "提供方": 1, "已共享": 2, "其他采集方": 3}
    holders.sort(key=lambda h: (order[h["side"]], h["unit_id"] not in provider_units, h["unit"], h["resource"], h["item"]))
    return holders


def _fill_names(ctx: Context, names: dict, wanted: set) -> None:
    by_kind: dict[str, set] = defaultdict(set)
    for kind, ident in wanted:
        if ident:
            by_kind[kind].add(ident)
    for kind, model, column in (("system", InformationSystem, InformationSystem.name), ("unit", Unit, Unit.name),
                                ("resource", InformationResource, InformationResource.title)):
        for chunk in in_chunks(sorted(by_kind[kind])):
            names.update({(kind, i): n for i, n in ctx.session.execute(select(model.id, column).where(model.id.in_(chunk)))})
    for chunk in in_chunks(sorted(by_kind["item"])):
        names.update({("item", i): (name, dtype, length) for i, name, dtype, length in ctx.session.execute(
            select(InformationItem.id, InformationItem.name, InformationItem.data_type, InformationItem.data_length)
            .where(InformationItem.id.in_(chunk)))})


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
    names.update({("user", u): n for u, n in display_names(ctx.session, {f.reviewed_by for f in findings}).items()})
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
    min_score = fields.Float(validate=validate.Range(min=0, max=1, error="置信度阈值应在 0 到 1 之间"),
                             error_messages={"invalid": "置信度阈值应是 0 到 1 之间的数"})
    holders = fields.Boolean(load_default=False)
    rows = Int("条数", minimum=0, maximum=5000, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(FINDING_SORTS)


@action("duplicate_list", auth=_finding_reader, schema=DuplicateListSchema, read_only=True)
def duplicate_list(ctx: Context, data: dict) -> dict:
    """Duplicate-collection findings, filtered; a department user sees its own unit's. Sorted by
    kind and data element unless `sort` names id, element, unit, system, role, state or score
    (`score desc`: most confident first); `min_score` keeps findings at or above the Bureau's
    threshold; `holders` adds every item now holding each finding's data element. Each finding says
    why (`explanation`: every step with its score)."""
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
    if data.get("min_score") is not None:
        stmt = stmt.where(F.score >= data["min_score"])
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
    results = [finding_dict(f, names) for f in rows]
    if data["holders"]:
        by_key: dict = {}
        for f, result in zip(rows, results):
            result["holders"] = all_holders(ctx, f, names, by_key)
    return {"count": count, "results": results}


def _get_finding(ctx: Context, ref) -> DuplicateFinding:
    finding = ctx.session.get(DuplicateFinding, ref) if isinstance(ref, int) else None
    if finding is None:
        raise NotFound(f"重复采集线索“{ref}”不存在")
    return finding


class FindingIdSchema(ReadSchema):
    id = Int("线索编号", required=True, minimum=1)


class DuplicateKeyListSchema(ReadSchema):
    min_units = Int("单位数", minimum=2, maximum=1_000_000, load_default=2)
    rows = Int("条数", minimum=0, maximum=5000, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)


@action("duplicate_key_list", auth=_finding_reader, schema=DuplicateKeyListSchema, read_only=True)
def duplicate_key_list(ctx: Context, data: dict) -> dict:
    """Data elements (with their role class) that at least `min_units` units collect: where
    duplicate collection concentrates, most units first. Counted by the search engine's
    aggregation when one is configured (no database pass), else from the item mapping; the same
    answer either way. Elements of a unit's own records are left out, as in the findings."""
    min_units = 2 if data["min_units"] is None else data["min_units"]
    keys = [k for k in ctx.search.duplicate_keys(ctx.session, min_units=min_units)
            if counts_for_duplication(k.key.split("@", 1)[0])]
    keys.sort(key=lambda k: (-k.units, -k.resources, k.key))
    names = _element_names()
    start, rows = data["start"] or 0, 50 if data["rows"] is None else data["rows"]
    results = []
    for k in keys[start:start + rows]:
        element, _, role = k.key.partition("@")
        results.append({"key": k.key, "data_element": element, "data_element_name": names.get(element, ""),
                        "role": role or None, "units": k.units, "resources": k.resources})
    return {"count": len(keys), "results": results}


@action("duplicate_show", auth=_finding_reader, schema=FindingIdSchema, read_only=True)
def duplicate_show(ctx: Context, data: dict) -> dict:
    """One finding with its evidence, its explanation and every item now holding its data element."""
    finding = _get_finding(ctx, data["id"])
    if ctx.user.role == "department" and finding.unit_id != ctx.user.unit_id:
        from registry.core.errors import NotAuthorized
        raise NotAuthorized("只能查看本单位的重复采集线索")
    names = _names(ctx, [finding])
    holders = all_holders(ctx, finding, names)
    return {**finding_dict(finding, names), "holders": holders,
            "provider_choices": _provider_choices(ctx, finding, holders)}


def _provider_choices(ctx: Context, finding: DuplicateFinding, holders: list[dict]) -> list[dict]:
    """Systems of other units the Bureau may name as the provider, by name: the suggested one, then
    those holding the data element (sharing first), then every other system."""
    holding = {h["system_id"]: h.get("shares", False) for h in holders}
    rows = ctx.session.execute(
        select(InformationSystem.id, InformationSystem.code, InformationSystem.name, Unit.name)
        .join(Unit, Unit.id == InformationSystem.unit_id).where(InformationSystem.unit_id != finding.unit_id)
        .order_by(Unit.name, InformationSystem.name)).all()
    choices = [{"id": i, "code": code, "name": name, "unit": unit, "holds": i in holding, "shares": bool(holding.get(i)),
                "suggested": i == finding.provider_system_id} for i, code, name, unit in rows]
    choices.sort(key=lambda c: (not c["suggested"], not c["holds"], not c["shares"]))
    return choices


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
    _review(ctx, finding, data["decision"], data.get("must_reuse_from"), data["reason"], "must_reuse_from")
    return finding_dict(finding, _names(ctx, [finding]))


def _review(ctx: Context, finding: DuplicateFinding, decision: str, provider_ref, reason: str, field: str) -> None:
    """One review decision, checked and audited (the single and the bulk review both come here)."""
    before = audit.snapshot(finding, ("evidence", "first_seen", "last_seen"))
    if decision == "confirm":
        provider_ref = provider_ref or finding.provider_system_id
        if not provider_ref:
            raise ValidationFailed({field: [f"线索 #{finding.id}（{finding.element_name}）没有建议提供方："
                                            "确认重复采集须指定应复用数据的提供方系统"]})
        provider = get_system(ctx.session, provider_ref, field)
        if provider.unit_id == finding.unit_id:
            raise ValidationFailed({field: [f"线索 #{finding.id}：提供方系统须属于其他单位"]})
        finding.state, finding.must_reuse_from_system_id = "confirmed", provider.id
    elif decision == "dismiss":
        if not reason:
            raise ValidationFailed({"reason": ["排除线索须说明理由（如：口径不同）"]})
        finding.state, finding.must_reuse_from_system_id = "dismissed", None
    else:
        if finding.state == "open":
            raise Conflict(f"线索 #{finding.id} 已处于待审核状态")
        finding.state, finding.must_reuse_from_system_id = "open", None
    finding.reason, finding.reviewed_by, finding.reviewed_at = reason, ctx.username, utcnow()
    ctx.session.flush()
    audit.record(ctx, "duplicate_review", "duplicate_finding", finding.id, before,
                 audit.snapshot(finding, ("evidence", "first_seen", "last_seen")), f"{decision}: {finding.element_name}")


BULK_LIMIT = 500


class DuplicateBulkReviewSchema(ChineseSchema):
    ids = fields.List(Int("线索编号", required=True, minimum=1), required=True,
                      validate=validate.Length(min=1, max=BULK_LIMIT, error=f"一次审核 1 到 {BULK_LIMIT} 条线索"),
                      error_messages={"required": "请选择要审核的线索", "invalid": "线索编号应是编号列表"})
    decision = fields.String(required=True, validate=validate.OneOf(
        ["confirm", "dismiss"], error="批量审核结论只能是 confirm（确认重复采集）或 dismiss（排除）"),
        error_messages={"required": "审核结论为必填项"})
    must_reuse_from = Ref("应复用的提供方系统")
    reason = Text("理由", max_length=2000, load_default="")


@action("duplicate_review_bulk", auth=_bureau, schema=DuplicateBulkReviewSchema)
def duplicate_review_bulk(ctx: Context, data: dict) -> dict:
    """The Bureau confirms or dismisses several findings at once, with one reason for the batch
    (confirm: each finding's suggested provider, or `must_reuse_from` for all). All or nothing: a
    finding that cannot take the decision (no provider to reuse) stops the batch and is named."""
    ids = list(dict.fromkeys(data["ids"]))
    found = {f.id: f for f in ctx.session.scalars(select(DuplicateFinding).where(DuplicateFinding.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"重复采集线索 {'、'.join(f'#{i}' for i in missing)} 不存在")
    for i in ids:
        _review(ctx, found[i], data["decision"], data.get("must_reuse_from"), data["reason"], "must_reuse_from")
    return {"count": len(ids), "decision": data["decision"], "state_label": STATE_LABELS[
        "confirmed" if data["decision"] == "confirm" else "dismissed"], "ids": ids}


class OverlapSchema(ReadSchema):
    state = fields.String(load_default=None)


@action("overlap_matrix", auth=allow_public, schema=OverlapSchema, read_only=True)
def overlap_matrix(ctx: Context, data: dict) -> dict:
    """Unit × unit: how many duplication-relevant data elements both units collect. Anonymous callers:
    counted over the resources open to the public only (confirmed findings: those on an open resource)."""
    rows = ctx.session.execute(select(ItemElement.unit_id, ItemElement.key, ItemElement.element_id)
                               .where(ItemElement.key.is_not(None), *readable_by_resource(ctx, ItemElement.resource_id))
                               .distinct()).all()
    keys_by_unit: dict[int, set[str]] = defaultdict(set)
    for unit_id, key, element_id in rows:
        if counts_for_duplication(element_id):
            keys_by_unit[unit_id].add(key)
    units = ctx.session.execute(select(Unit.id, Unit.code, Unit.name).order_by(by_pinyin(Unit.name), Unit.code)).all()
    units = [u for u in units if u[0] in keys_by_unit]
    confirmed = defaultdict(int)
    decided = (select(DuplicateFinding.unit_id, InformationSystem.unit_id)
               .join(InformationSystem, InformationSystem.id == DuplicateFinding.must_reuse_from_system_id)
               .where(DuplicateFinding.state == "confirmed", DuplicateFinding.active.is_(True),
                      *readable_by_resource(ctx, DuplicateFinding.resource_id)))
    for unit_id, provider_unit in ctx.session.execute(decided):
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
    from registry.catalog.models import InformationItem
    return ctx.session.scalar(select(func.count(InformationItem.id))) or 0


def scan_summary(stats: dict) -> str:
    """`duplicate_scan`'s result in a sentence (the CLI and the job status page)."""
    text = (f"扫描完成：{stats['resources']} 项信息资源，{stats['items']} 个信息项；"
            f"发现线索 {stats['detected']} 条（新增 {stats['new']}，有变化 {stats['changed']}，不再出现 {stats['inactive']}）")
    if "engine_reindexed" in stats:
        text += f"；检索引擎索引已按新的映射重建（{stats['engine_reindexed']} 项信息资源）"
    elif "engine_error" in stats:
        text += f"；{stats['engine_error']}。扫描结果已保存，请排除后运行 registry reindex"
    return text


def reindex_summary(result: dict) -> str:
    """`search_reindex`'s result in a sentence (the CLI and the job status page)."""
    return f"索引已重建：{result['resources']} 项信息资源（检索后端：{result['backend']}）"


@action("duplicate_scan", auth=_scanner, schema=ScanSchema)
def duplicate_scan(ctx: Context, data: dict) -> dict:
    """Rebuild every item mapping and recompute every finding (reviews are kept). Progress: items
    mapped. An engine's documents carry the mapping, so its index is then rebuilt from the new one;
    if the engine fails, the scan still stands and the result says to reindex."""
    from search.duplicates.scan import full_scan
    from search.engines.elastic import SearchUnavailable
    items = _item_count(ctx)
    ctx.progress.start(items, "映射信息项")
    stats = {**full_scan(ctx.session, progress=ctx.progress.advance), "items": items}
    if ctx.search.index_outside_database:
        ctx.progress.start(items, "重建检索引擎索引")
        try:
            stats["engine_reindexed"] = _rebuild_index(ctx)
        except SearchUnavailable as exc:
            stats["engine_error"] = exc.message
    return stats


@action("search_reindex", auth=_scanner, schema=NoInput)
def search_reindex(ctx: Context, data: dict) -> dict:
    """Rebuild the search index from the database (the one source of truth). Progress: items indexed."""
    from search.engines.elastic import SearchUnavailable
    ctx.progress.start(_item_count(ctx), "重建索引")
    try:
        count = _rebuild_index(ctx)
    except SearchUnavailable as exc:
        raise SearchUnavailable(f"{exc.message}。数据库未受影响，原索引照常服务；请排除后重新运行 registry reindex") from None
    return {"resources": count, "backend": ctx.search.name}


def _rebuild_index(ctx: Context) -> int:
    """The whole index rebuilt from the database; an engine's failure as a Chinese sentence."""
    from search.engines.clients import EngineError
    from search.engines.elastic import ENGINE_FAILURES, IndexingFailed, SearchUnavailable
    try:
        return ctx.search.reindex(ctx.session, progress=ctx.progress.advance)
    except EngineError as exc:
        raise SearchUnavailable(f"重建索引失败：搜索引擎{ENGINE_FAILURES.get(exc.kind, '出错')}（{exc}）") from None
    except IndexingFailed as exc:
        raise SearchUnavailable(f"重建索引失败：{exc}") from None
