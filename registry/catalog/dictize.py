"""Records → the dicts the API returns (CKAN-shaped where a CKAN client reads them)."""
from __future__ import annotations

from catalog_schema import vocabularies as vocab
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def unit_dict(unit: Unit, package_count: int | None = None) -> dict:
    result = {"id": unit.id, "name": unit.code, "title": unit.name, "display_name": unit.name,
              "code": unit.code, "kind": unit.kind, "kind_label": vocab.UNIT_KIND.label_of(unit.kind),
              "parent_id": unit.parent_id, "description": unit.description,
              "type": "organization", "is_organization": True, "state": "active",
              "created": _iso(unit.created), "version": unit.version}
    if package_count is not None:
        result["package_count"] = package_count
    return result


def system_dict(system: InformationSystem, package_count: int | None = None) -> dict:
    result = {"id": system.id, "name": system.code, "title": system.name, "display_name": system.name,
              "code": system.code, "unit_id": system.unit_id, "aliases": list(system.aliases or []),
              "description": system.description, "status": system.status,
              "status_label": vocab.SYSTEM_STATUS.label_of(system.status),
              "network": system.network, "network_label": vocab.NETWORK.label_of(system.network),
              "in_directory": system.in_directory, "directory_date": _iso(system.directory_date),
              "directory_decided_by": system.directory_decided_by,
              "type": "group", "is_organization": False, "state": "active", "version": system.version}
    if package_count is not None:
        result["package_count"] = package_count
    return result


def item_dict(item: InformationItem) -> dict:
    return {"id": item.id, "resource_id": item.resource_id, "name": item.name,
            "data_type": item.data_type, "data_type_label": vocab.DATA_TYPE.label_of(item.data_type),
            "data_type_standard": vocab.DATA_TYPE.is_standard(item.data_type),
            "data_length": item.data_length, "sharing_type": item.sharing_type,
            "position": item.position, "version": item.version}


NONSTANDARD_CHECKED = (("format_type", vocab.FORMAT_TYPE), ("update_cycle", vocab.UPDATE_CYCLE))


def package_dict(res: InformationResource, items=None, unit=None, system=None) -> dict:
    """An information resource as a CKAN dataset; its items are its data dictionary.

    Takes ORM objects or Core rows alike (attribute access by column name): search results are
    built from rows, which costs a fraction of loading ORM objects."""
    items = res.items if items is None else items
    unit = res.unit if unit is None else unit
    system = res.system if system is None else system
    nonstandard = [f for f, v in NONSTANDARD_CHECKED if not v.is_standard(getattr(res, f))]
    if any(not vocab.DATA_TYPE.is_standard(i.data_type) for i in items):
        nonstandard.append("items.data_type")
    return {
        "id": res.id, "name": res.name, "title": res.title, "notes": res.description,
        "type": "dataset", "state": "active", "private": False,
        "owner_org": unit.id,
        "organization": {"id": unit.id, "name": unit.code, "title": unit.name, "type": "organization",
                         "is_organization": True},
        "groups": [{"id": system.id, "name": system.code, "title": system.name, "display_name": system.name}],
        "system_id": system.id, "system_name": system.name, "unit_name": unit.name,
        "resource_code": res.resource_code,
        "format_class": res.format_class, "format_class_label": vocab.FORMAT_CLASS.label_of(res.format_class),
        "format_type": res.format_type, "format_type_label": vocab.FORMAT_TYPE.label_of(res.format_type),
        "sharing_type": res.sharing_type, "sharing_type_label": vocab.SHARING_TYPE.label_of(res.sharing_type),
        "sharing_method": res.sharing_method,
        "sharing_method_label": vocab.SHARING_METHOD.label_of(res.sharing_method),
        "open_to_public": res.open_to_public, "open_conditions": res.open_conditions,
        "update_cycle": res.update_cycle, "update_cycle_label": vocab.UPDATE_CYCLE.label_of(res.update_cycle),
        "nonstandard_fields": nonstandard,
        "items": [item_dict(i) for i in items], "num_items": len(items),
        "resources": [], "num_resources": 0, "tags": [], "extras": [],
        "metadata_created": _iso(res.created), "metadata_modified": _iso(res.modified),
        "version": res.version,
    }
