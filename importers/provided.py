"""Warn before collecting: which items of a catalog another unit already provides (issue 16).

When a department imports (or edits) its catalog, each item is put to the same provider lookup
the resource form uses while typing (`item_provider_lookup`: the item → data-element mapping and
the one provider rule), so the department hears "already provided by 公安局 户政管理信息系统
(有条件共享 · 共享交换平台): apply to share it instead of collecting it again" before the Bureau
ever opens a finding. Collecting data already collected blocks O&M funding (Art. 28).

Each data element of the file is looked up once, and at most MAX_LOOKUPS of them per unit of
a file (a notice says when a file has more).
"""
from __future__ import annotations

from dataclasses import dataclass

from importers.problems import Cell
from registry.core.actions import Context, call_action
from registry.measures.base import cite

MAX_LOOKUPS = 500
MAX_ENTRIES = 50_000
LISTED_PROVIDERS = 3


@dataclass(frozen=True)
class Entry:
    cell: Cell | None
    unit: str
    system: str
    resource: str
    item: str
    data_type: str | None
    data_length: int | None


class Collector:
    """The items a file (or an edit) brings, with their cells, as the import reads them."""

    def __init__(self):
        self.entries: list[Entry] = []
        self.truncated = False

    def add_chunk(self, chunk) -> None:
        if chunk.unit is None or chunk.system is None:
            return
        for res in chunk.resources:
            for item in res.items:
                if len(self.entries) >= MAX_ENTRIES:
                    self.truncated = True
                    return
                values = item.values
                self.entries.append(Entry(res.item_cell(item, "item_name"), chunk.unit, chunk.system, res.title,
                                          values.get("name") or "", values.get("data_type"),
                                          values.get("data_length")))


def message(item: str, providers: list[dict], count: int) -> str:
    """`count`: every provider (`providers` may list only the first ones)."""
    shown = "；".join(f"{p['unit']}“{p['system']}”的“{p['resource']}”（{p['sharing_type_label']}，"
                     f"{p['sharing_method_label']}）" for p in providers[:LISTED_PROVIDERS])
    more = f"等{count}个来源" if count > LISTED_PROVIDERS else ""
    return (f"信息项“{item}”已由{shown}{more}提供：请先申请共享使用，不要重复采集"
            f"（{cite(28)}，重复采集的系统不予安排运行维护经费）")


def already_provided(ctx: Context, unit_id: int | None, entries: list[Entry]) -> tuple[list[dict], list[str]]:
    """(warnings, notices): one warning per item that another unit already provides.

    The provider lookup answers by the item's data element (the matcher's key), so it is asked
    once per element the file holds, with the first item naming it; items the matcher maps to no
    element, or to one that does not count for duplication, are not asked about (the lookup would
    answer "nobody" for them)."""
    from search.engines.documents import matcher
    from search.duplicates.scan import counts_for_duplication
    elements = matcher()
    matched: dict[tuple, object] = {}

    def match(name, data_type, data_length):
        key = (name, data_type, data_length)
        if key not in matched:
            matched[key] = elements.match(name, data_type, data_length)
        return matched[key]

    answers: dict[str, dict] = {}
    notices = []
    warnings = []
    found_for = []
    for entry in entries:
        found = match(entry.item, entry.data_type, entry.data_length) if entry.item else None
        found_for.append(found if found is not None and found.key is not None
                         and counts_for_duplication(found.element_id) else None)
    held = _held_elsewhere(ctx, unit_id, {f.key for f in found_for if f is not None})
    for entry, found in zip(entries, found_for):
        if found is None or found.key not in held:
            continue
        if found.key not in answers:
            if len(answers) >= MAX_LOOKUPS:
                notice = f"文件中的数据元超过 {MAX_LOOKUPS} 个，只检查了前 {MAX_LOOKUPS} 个是否已由其他单位提供"
                if notice not in notices:
                    notices.append(notice)
                continue
            query = {"name": entry.item}
            if entry.data_type:
                query["data_type"] = entry.data_type
            if entry.data_length:
                query["data_length"] = entry.data_length
            if unit_id is not None:
                query["unit"] = unit_id
            try:
                answers[found.key] = call_action("item_provider_lookup", ctx, query)
            except Exception:  # noqa: BLE001 - a hint must never fail the import it accompanies
                answers[found.key] = {"providers": []}
        answer = answers[found.key]
        providers = answer.get("providers") or []
        if not providers:
            continue
        warnings.append({
            "sheet": entry.cell.sheet if entry.cell else "", "row": entry.cell.row if entry.cell else None,
            "column": entry.cell.letter if entry.cell else "", "unit": entry.unit, "system": entry.system,
            "resource": entry.resource, "item": entry.item, "data_element": answer.get("data_element"),
            "data_element_name": answer.get("data_element_name", ""), "providers": providers,
            "provider_count": answer["provider_count"],
            "message": message(entry.item, providers, answer["provider_count"])})
    return warnings, notices


def _held_elsewhere(ctx: Context, unit_id: int | None, keys: set[str]) -> set[str]:
    """The data elements among `keys` that items of another unit hold (only those can have a
    provider; the lookup then applies the provider rule to them)."""
    from sqlalchemy import select

    from registry.core.db import in_chunks
    from search.models import ItemElement
    held: set[str] = set()
    for part in in_chunks(sorted(keys)):
        stmt = select(ItemElement.key).where(ItemElement.key.in_(part)).distinct()
        if unit_id is not None:
            stmt = stmt.where(ItemElement.unit_id != unit_id)
        held.update(ctx.session.scalars(stmt))
    return held


def for_items(ctx: Context, resource, items) -> dict:
    """{"already_provided": [...]} for items just written to `resource` by an edit (the API answer
    of package_create/update/patch and item_create/update/patch)."""
    system, unit = resource.system, resource.unit
    entries = [Entry(None, unit.name if unit else "", system.name if system else "", resource.title, i.name,
                     i.data_type, i.data_length) for i in items]
    warnings, _ = already_provided(ctx, resource.unit_id, entries)
    return {"already_provided": warnings}
