"""Comparing one chunk of an imported catalog with the system's rows; the writes themselves are
`registry.catalog.store.BulkWrite` (the one writer of the catalog, in bulk).

A chunk is a few hundred resources of one system. What the database holds for the system was
fetched once (`SystemRows`, by the importer); here each resource is matched by title and each
item by name, and the differences are handed to the store, which writes them with one executemany
per kind of change, the versions and audit rows the per-record actions write (one row per
created, changed or deleted item of an existing resource, one per created or changed resource).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from catalog_schema import vocabularies as vocab
from registry.catalog import store
from registry.catalog.store import I, ITEM_COLUMNS, ITEM_FIELDS, RESOURCE_COLUMNS, R  # noqa: F401
from importers.records import ResourceRecord

if TYPE_CHECKING:
    from importers.catalog_import import _Importer

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
    folded: dict[str, str] | None = None                      # folded title → title, built on a miss

    def take(self, title: str) -> dict | None:
        """The stored resource of this title: as written, else matched by its folded spelling
        (a record stored before text was kept as written has ASCII brackets and colons)."""
        found = self.existing.pop(title, None)
        if found is None and self.existing:
            if self.folded is None:
                self.folded = {vocab.fold(t): t for t in self.existing}
            stored = self.folded.get(vocab.fold(title))
            found = self.existing.pop(stored, None) if stored is not None else None
        return found


def _by_fold(names, name: str) -> str | None:
    key = vocab.fold(name)
    return next((n for n in names if vocab.fold(n) == key), None)


def _norm_sharing(own, resource_sharing):
    return None if own == resource_sharing else own


class ChunkWriter:
    """Compares one chunk's resources with the system's rows and hands the differences to the store."""

    def __init__(self, importer: "_Importer", system: SystemRows):
        self.importer, self.system = importer, system
        self.counts = importer.report.counts
        self.replace = importer.report.replace
        self.bulk = store.BulkWrite(importer.ctx, importer.action, system.id, importer.now)

    def write(self, resources: list[ResourceRecord]) -> None:
        unseen = self.importer.unseen.get(self.system.id, {})
        for rec in resources:
            existing = self.system.take(rec.title)
            if existing is None:
                self._create(rec)
            else:
                unseen.pop(existing["id"], None)
                self._compare(rec, existing)
        self.importer.touched.update(self.bulk.flush())

    def _create(self, rec: ResourceRecord) -> None:
        row = store.new_resource_row(self.system.id, self.system.unit_id, rec.title, rec.values, self.importer.now)
        self.bulk.new_resources.append((row, [store.new_item_row(0, item.values) for item in rec.items]))
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
            if old is None and existing_items:
                stored = _by_fold(existing_items, values["name"])
                old = existing_items.pop(stored, None) if stored is not None else None
            if old is None:
                row = store.new_item_row(before["id"], values)
                self.bulk.new_items.append(row)
                items_after.append(row)
                self.counts["items_created"] += 1
                changed_items = True
                continue
            new = {**old, **{k: values[k] for k in ITEM_FIELDS if k in values and k != "name"}}  # keeps its name
            # An item's own sharing type equal to its resource's is the same as none of its own.
            old_cmp = {**old, "sharing_type": _norm_sharing(old["sharing_type"], sharing)} \
                if "sharing_type" in values else old
            if new != old_cmp:
                self.bulk.item_updates.append((old, new))
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
                self.bulk.item_deletes.append(gone)
                self.counts["items_deleted"] += 1
                changed_items = True
            else:
                items_after.append(gone)
        after["items"] = items_after
        fields_changed = any(after[k] != before[k] for k in rec.values)
        if fields_changed or changed_items:
            after["version"] = before["version"] + 1
            self.bulk.changed.append((before, after))
            self.counts["resources_updated"] += 1
        else:
            self.counts["resources_unchanged"] += 1
