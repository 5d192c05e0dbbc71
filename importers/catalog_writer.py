"""Writing one chunk of an imported catalog: compare with the system's rows, then write in bulk.

A chunk is a few hundred resources of one system. What the database holds for the system was
fetched once (`SystemRows`, by the importer); here each resource is matched by title and each
item by name, the differences are collected, and then written with one executemany per kind of
change, with one audit row per created or changed resource (its items inside, in the shape of
`package_snapshot`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, insert, select, update

from registry.actions.catalog import new_slug
from registry.models import InformationItem, InformationResource
from importers.records import ResourceRecord

if TYPE_CHECKING:
    from importers.catalog_import import _Importer

R, I = InformationResource.__table__, InformationItem.__table__
RESOURCE_COLUMNS = [c for c in R.c if c.key not in ("created", "modified")]
ITEM_COLUMNS = [c for c in I.c if c.key != "version"]
FORM_KEYS = ("format_class", "format_type", "sharing_type", "sharing_method", "open_to_public",
             "open_conditions", "update_cycle")
RESOURCE_DEFAULTS = {"format_class": None, "format_type": None, "sharing_method": None, "open_to_public": False,
                     "open_conditions": "", "update_cycle": None, "resource_code": None, "description": ""}
ITEM_KEYS = ("data_type", "data_length", "sharing_type", "position")
LISTED = 500   # would-delete entries listed in a report (all are counted)


@dataclass
class SystemRows:
    """What the database holds for one system, fetched once per run of chunks of that system."""

    id: int
    unit_id: int
    unit_name: str
    name: str
    key: tuple[int, str]                                      # (unit id, folded name as the file wrote it)
    existing: dict[str, dict] = field(default_factory=dict)   # title → snapshot (with "items")


def _norm_sharing(own, resource_sharing):
    return None if own == resource_sharing else own


class ChunkWriter:
    """Compares one chunk's resources with the system's rows and writes the differences in bulk."""

    def __init__(self, importer: "_Importer", system: SystemRows):
        self.importer, self.system, self.session = importer, system, importer.session
        self.counts = importer.report.counts
        self.replace = importer.report.replace
        self.new_resources: list[tuple[ResourceRecord, dict]] = []
        self.new_items: list[dict] = []
        self.item_updates: list[dict] = []
        self.item_deletes: list[int] = []
        self.changed: list[tuple[dict, dict]] = []            # (before, after snapshot) of existing resources

    def write(self, resources: list[ResourceRecord]) -> None:
        unseen = self.importer.unseen.get(self.system.id, {})
        for rec in resources:
            existing = self.system.existing.pop(rec.title, None)
            if existing is None:
                self._create(rec)
            else:
                unseen.pop(existing["id"], None)
                self._compare(rec, existing)
        self._flush()

    def _create(self, rec: ResourceRecord) -> None:
        values = {**RESOURCE_DEFAULTS, **rec.values}
        row = {"name": new_slug("res"), "system_id": self.system.id, "unit_id": self.system.unit_id,
               "title": rec.title,
               **{k: values[k] for k in (*FORM_KEYS, "resource_code", "description")},
               "version": 1, "created": self.importer.now, "modified": self.importer.now}
        self.new_resources.append((rec, row))
        self.counts["resources_created"] += 1
        self.counts["items_created"] += len(rec.items)

    def _compare(self, rec: ResourceRecord, before: dict) -> None:
        after = {**before, "items": list(before["items"])}
        for key, value in rec.values.items():
            after[key] = value
        sharing = after["sharing_type"]
        existing_items = {item["name"]: item for item in before["items"]}
        items_after, changed_items = [], False
        for item in rec.items:
            values = item.values
            old = existing_items.pop(values["name"], None)
            if old is None:
                row = {"resource_id": before["id"], "name": values["name"], "data_type": None, "data_length": None,
                       "sharing_type": None, **{k: values[k] for k in ITEM_KEYS if k in values}}
                self.new_items.append(row)
                items_after.append(row)
                self.counts["items_created"] += 1
                changed_items = True
                continue
            new = {**old, **{k: values[k] for k in ITEM_KEYS if k in values}}
            # An item's own sharing type equal to its resource's is the same as none of its own.
            old_cmp = {**old, "sharing_type": _norm_sharing(old["sharing_type"], sharing)} \
                if "sharing_type" in values else old
            if new != old_cmp:
                self.item_updates.append(new)
                self.counts["items_updated"] += 1
                changed_items = True
            else:
                new = old
                self.counts["items_unchanged"] += 1
            items_after.append(new)
        for gone in existing_items.values():
            self.counts["items_would_delete"] += 1
            if len(self.importer.report.would_delete_items) < LISTED:
                self.importer.report.would_delete_items.append(
                    {"unit": self.system.unit_name, "system": self.system.name, "resource": rec.title,
                     "item": gone["name"]})
            if self.replace:
                self.item_deletes.append(gone["id"])
                self.counts["items_deleted"] += 1
                changed_items = True
            else:
                items_after.append(gone)
        after["items"] = items_after
        fields_changed = any(after[k] != before[k] for k in rec.values)
        if fields_changed or changed_items:
            after["version"] = before["version"] + 1
            self.changed.append((before, after))
            self.counts["resources_updated"] += 1
        else:
            self.counts["resources_unchanged"] += 1

    def _flush(self) -> None:
        """Plain executemany, then the new ids by their keys (title; resource + name): RETURNING
        would make SQLite insert row by row to keep the order."""
        session, importer = self.session, self.importer
        created = []
        if self.new_resources:
            session.execute(insert(R), [row for _, row in self.new_resources])
            ids = dict(session.execute(select(R.c.title, R.c.id).where(
                R.c.system_id == self.system.id, R.c.title.in_([row["title"] for _, row in self.new_resources]))).all())
            for rec, row in self.new_resources:
                rid = ids[row["title"]]
                snap = {"id": rid, **{c.key: row[c.key] for c in RESOURCE_COLUMNS if c.key != "id"}, "items": []}
                for item in rec.items:
                    values = item.values
                    snap["items"].append({"resource_id": rid, "name": values["name"],
                                          "data_type": values.get("data_type"),
                                          "data_length": values.get("data_length"),
                                          "sharing_type": values.get("sharing_type"),
                                          "position": values["position"]})
                self.new_items.extend(snap["items"])
                created.append(snap)
        if self.new_items:
            session.execute(insert(I), self.new_items)
            owners = list({row["resource_id"] for row in self.new_items})
            ids = {(rid, name): iid for iid, rid, name in session.execute(
                select(I.c.id, I.c.resource_id, I.c.name).where(I.c.resource_id.in_(owners)))}
            for row in self.new_items:
                row["id"] = ids[(row["resource_id"], row["name"])]
        if self.item_updates:
            session.execute(update(I).where(I.c.id == bindparam("b_id")).values(
                data_type=bindparam("b_data_type"), data_length=bindparam("b_data_length"),
                sharing_type=bindparam("b_sharing_type"), position=bindparam("b_position"),
                version=I.c.version + 1),
                [{"b_" + k: item[k] for k in ("id", *ITEM_KEYS)} for item in self.item_updates])
        if self.item_deletes:
            for start in range(0, len(self.item_deletes), 500):
                session.execute(delete(I).where(I.c.id.in_(self.item_deletes[start:start + 500])))
        if self.changed:
            session.execute(update(R).where(R.c.id == bindparam("b_id")).values(
                **{k: bindparam("b_" + k) for k in FORM_KEYS}, modified=importer.now, version=R.c.version + 1),
                [{"b_id": after["id"], **{"b_" + k: after[k] for k in FORM_KEYS}} for _, after in self.changed])
        entries = [(snap["id"], None, snap) for snap in created]
        entries += [(after["id"], before, after) for before, after in self.changed]
        importer.audit(entries)
        touched = [rid for rid, _, _ in entries]
        importer.touched.update(touched)
        importer.ctx.changed_resources.update(touched)

