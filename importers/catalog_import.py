"""Applying a catalog workbook to the database: one transaction, idempotent, in bulk.

Keyed by unit + system + resource title + item name: a record in the file and in the database
is the same record. Re-importing a file changes nothing; a changed file updates what changed;
what the database holds for a system and the file does not is reported ("would delete") and
deleted only with `replace=True`. Any problem, and nothing is written (the savepoint rolls
back); `dry_run=True` does all the work and rolls back too, so its report is exact.

Units are never created by an import; systems are, through the `system_create` action. Each
created, updated or deleted resource gets one audit row with its items inside, in the shape
`package_snapshot` writes. Writes are SQLAlchemy Core executemany per chunk of the file, with
the existing rows of a system fetched in one query, so 200,000 items are one pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, select, update

from catalog_schema import vocabularies as vocab
from registry import audit
from registry.actions.base import Context, call_action
from registry.actions.catalog import new_slug
from registry.authz import require_unit_writer
from registry.db import utcnow
from registry.errors import ValidationFailed
from registry.locks import lock_unit
from registry.lookup import get_unit
from registry.models import AuditLog, InformationItem, InformationResource, InformationSystem, Unit
from importers.catalog_reader import CatalogReader, Chunk, ResourceRecord
from importers.problems import ImportFailed

R, I = InformationResource.__table__, InformationItem.__table__
RESOURCE_COLUMNS = [c for c in R.c if c.key not in ("created", "modified")]
ITEM_COLUMNS = [c for c in I.c if c.key != "version"]
FORM_KEYS = ("format_class", "format_type", "sharing_type", "sharing_method", "open_to_public",
             "open_conditions", "update_cycle")
RESOURCE_DEFAULTS = {"format_class": None, "format_type": None, "sharing_method": None, "open_to_public": False,
                     "open_conditions": "", "update_cycle": None, "resource_code": None, "description": ""}
ITEM_KEYS = ("data_type", "data_length", "sharing_type", "position")
LISTED = 500   # would-delete entries listed in a report (all are counted)
ACTION = "catalog_import"


@dataclass
class _System:
    """What the database holds for one system, fetched once per run of chunks of that system."""

    id: int
    unit_id: int
    unit_name: str
    name: str
    key: tuple[int, str]                                      # (unit id, folded name as the file wrote it)
    existing: dict[str, dict] = field(default_factory=dict)   # title → snapshot (with "items")


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    replace: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((
        "systems_created", "resources_created", "resources_updated", "resources_unchanged", "resources_deleted",
        "items_created", "items_updated", "items_unchanged", "items_deleted",
        "resources_would_delete", "items_would_delete"), 0))
    would_delete_resources: list[dict] = field(default_factory=list)
    would_delete_items: list[dict] = field(default_factory=list)
    units: dict[str, dict] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        units = [{"name": name, "code": u["code"], "systems": len(u["systems"]), "resources": u["resources"],
                  "items": u["items"]} for name, u in self.units.items()]
        return {"filename": self.filename, "dry_run": self.dry_run, "replace": self.replace, **self.counts,
                "would_delete_resources": self.would_delete_resources,
                "would_delete_items": self.would_delete_items, "units": units, "notices": self.notices}


def import_catalog(ctx: Context, path: Path | str, filename: str | None = None, *, unit=None,
                   system: str | None = None, dry_run: bool = False, replace: bool = False) -> dict:
    """Import one file; returns the report, or raises ImportRefused / ImportFailed / NotAuthorized."""
    explicit = find_unit(ctx.session, unit) if unit not in (None, "") else None
    if explicit is None and ctx.user is not None and ctx.user.role == "department":
        explicit = ctx.session.get(Unit, ctx.user.unit_id)
    lock_unit(ctx.session, explicit.id if explicit else None, "import")  # one import per unit at a time
    max_bytes = ctx.settings.max_upload_mb * 1024 * 1024 if ctx.settings else 20 * 1024 * 1024
    reader = CatalogReader(path, filename, unit=explicit.name if explicit else None, system=system,
                           max_bytes=max_bytes)
    importer = _Importer(ctx, reader, explicit, ImportReport(reader.filename, dry_run, replace))
    savepoint = ctx.session.begin_nested()
    try:
        for chunk in reader.chunks():
            importer.apply(chunk)
        if reader.problems:
            raise ImportFailed(reader.problems, importer.file_units, reader.notices)
        importer.finish()
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        ctx.changed_resources.difference_update(importer.touched)
    else:
        savepoint.commit()
    importer.report.notices = reader.notices
    return importer.report.as_dict()


def find_unit(session, ref) -> Unit:
    """A unit by id, code or exact name (the upload form and the CLI accept any of them)."""
    if isinstance(ref, str) and not ref.isdigit():
        by_name = session.scalar(select(Unit).where(Unit.name == vocab.clean(ref)))
        if by_name is not None:
            return by_name
    return get_unit(session, ref, "unit")


class _Importer:
    def __init__(self, ctx: Context, reader: CatalogReader, explicit: Unit | None, report: ImportReport):
        self.ctx, self.session, self.reader, self.report = ctx, ctx.session, reader, report
        self.explicit = explicit
        self.units = {}
        # Held for the whole import: the session's identity map keeps them only while referenced,
        # and system_create looks its unit up once per new system.
        self.unit_objects = self.session.scalars(select(Unit)).all()
        for unit in self.unit_objects:
            self.units[vocab.fold(unit.name)] = (unit.id, unit.name, unit.code)
            self.units.setdefault(vocab.fold(unit.code), (unit.id, unit.name, unit.code))
        self.authorized: set[int] = set()
        self.unknown: set[str] = set()
        self.systems: dict[int, dict[str, tuple[int, str]]] = {}   # unit id → folded name/code → (id, name)
        self.current: _System | None = None
        self.unseen: dict[int, dict[int, tuple[str, str, str]]] = {}  # system → resource id → names
        self.touched: set[int] = set()
        self.file_units: list[str] = []
        self.now = utcnow()

    # ---- context --------------------------------------------------------------------------

    def _unit(self, chunk: Chunk) -> tuple[int, str, str] | None:
        if chunk.unit is None:
            return None
        if chunk.unit not in self.file_units:
            self.file_units.append(chunk.unit)
        found = self.units.get(vocab.fold(chunk.unit))
        if found is None:
            if chunk.unit not in self.unknown:
                self.unknown.add(chunk.unit)
                self.reader.problem(chunk.unit_cell, chunk.unit,
                                    f"单位“{chunk.unit}”不存在：导入不会新建单位，请核对单位名称，"
                                    f"或先由大数据局登记该单位")
            return None
        if found[0] not in self.authorized:
            require_unit_writer(self.ctx, found[0])
            self.authorized.add(found[0])
        if self.explicit is not None and found[0] != self.explicit.id:
            if chunk.unit not in self.unknown:
                self.unknown.add(chunk.unit)
                self.reader.problem(chunk.unit_cell, chunk.unit,
                                    f"文件中的部门名称“{chunk.unit}”与所选单位“{self.explicit.name}”不一致")
            return None
        return found

    def _system(self, unit: tuple[int, str, str], chunk: Chunk) -> _System | None:
        unit_id, unit_name, _ = unit
        key = (unit_id, vocab.fold(chunk.system))
        if self.current is not None and self.current.key == key:
            return self.current
        known = self.systems.get(unit_id)
        if known is None:
            known = {}
            for sid, name, code in self.session.execute(select(InformationSystem.id, InformationSystem.name,
                                                               InformationSystem.code)
                                                        .where(InformationSystem.unit_id == unit_id)):
                known[vocab.fold(name)] = (sid, name)
                known.setdefault("code:" + code, (sid, name))
            self.systems[unit_id] = known
        found = known.get(vocab.fold(chunk.system))
        if found is None and chunk.system_source == "explicit":
            found = known.get("code:" + chunk.system)
        if found is None:
            if self.reader.problems:
                return None   # nothing will be written: do not create systems for nothing
            try:
                created = call_action("system_create", self.ctx, {"unit": unit_id, "name": chunk.system})
            except ValidationFailed as exc:
                self.reader.problem(chunk.system_cell, chunk.system, exc.message)
                return None
            found = (created["id"], created["title"])
            known[vocab.fold(chunk.system)] = found
            self.report.counts["systems_created"] += 1
            self.unseen[found[0]] = {}
            self.current = _System(found[0], unit_id, unit_name, found[1], key)
        else:
            self.current = _System(found[0], unit_id, unit_name, found[1], key)
            self._prefetch(self.current)
        return self.current

    def _prefetch(self, system: _System) -> None:
        """The system's resources and items in two queries, as audit snapshots keyed by title."""
        first_visit = system.id not in self.unseen
        unseen = self.unseen.setdefault(system.id, {})
        by_id = {}
        for row in self.session.execute(select(*RESOURCE_COLUMNS).where(R.c.system_id == system.id)):
            snap = {**row._mapping, "items": []}
            system.existing[snap["title"]] = by_id[snap["id"]] = snap
        if not by_id:
            return
        stmt = (select(*ITEM_COLUMNS).join(R, R.c.id == I.c.resource_id).where(R.c.system_id == system.id)
                .order_by(I.c.resource_id, I.c.position, I.c.id))
        for row in self.session.execute(stmt):
            by_id[row.resource_id]["items"].append(dict(row._mapping))
        if first_visit:
            for snap in by_id.values():
                unseen[snap["id"]] = (system.unit_name, system.name, snap["title"])

    # ---- one chunk ------------------------------------------------------------------------

    def apply(self, chunk: Chunk) -> None:
        unit = self._unit(chunk)
        if unit is not None:
            totals = self.report.units.setdefault(unit[1], {"code": unit[2], "systems": set(), "resources": 0,
                                                           "items": 0})
            totals["systems"].add(chunk.system or "")
            totals["resources"] += len(chunk.resources)
            totals["items"] += sum(len(r.items) for r in chunk.resources)
        if unit is None or chunk.system is None or self.reader.problems:
            return
        system = self._system(unit, chunk)
        if system is None or self.reader.problems:
            return
        _ChunkWriter(self, system).write(chunk.resources)

    def finish(self) -> None:
        """After the whole file: resources of the touched systems that the file did not mention."""
        gone = [(rid, names) for unseen in self.unseen.values() for rid, names in unseen.items()]
        counts = self.report.counts
        counts["resources_would_delete"] = len(gone)
        for rid, (unit_name, system_name, title) in gone[:LISTED]:
            self.report.would_delete_resources.append({"unit": unit_name, "system": system_name, "title": title})
        ids = [rid for rid, _ in gone]
        for start in range(0, len(ids), 500):   # their items go with them
            counts["items_would_delete"] += self.session.scalar(
                select(func.count()).select_from(I).where(I.c.resource_id.in_(ids[start:start + 500])))
        if not gone or not self.report.replace:
            return
        snapshots = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for row in self.session.execute(select(*RESOURCE_COLUMNS).where(R.c.id.in_(part))):
                snapshots[row.id] = {**row._mapping, "items": []}
            for row in self.session.execute(select(*ITEM_COLUMNS).where(I.c.resource_id.in_(part))
                                            .order_by(I.c.resource_id, I.c.position, I.c.id)):
                snapshots[row.resource_id]["items"].append(dict(row._mapping))
            self.session.execute(delete(I).where(I.c.resource_id.in_(part)))
            self.session.execute(delete(R).where(R.c.id.in_(part)))
        self.audit([(rid, snap, None) for rid, snap in snapshots.items()])
        counts["resources_deleted"] = len(ids)
        counts["items_deleted"] += sum(len(s["items"]) for s in snapshots.values())
        self.touched.update(ids)
        self.ctx.changed_resources.update(ids)

    def audit(self, entries: list[tuple[int, dict | None, dict | None]]) -> None:
        if not entries:
            return
        user = self.ctx.user
        rows = []
        for rid, before, after in entries:
            title = (after or before)["title"]
            before, after = audit.diff(before, after)
            rows.append({"at": self.now, "user_id": getattr(user, "id", None), "username": self.ctx.username,
                         "action": ACTION, "entity_type": "resource", "entity_id": rid, "summary": title,
                         "before": before, "after": after})
        if rows:
            self.session.execute(insert(AuditLog), rows)


def _norm_sharing(own, resource_sharing):
    return None if own == resource_sharing else own


class _ChunkWriter:
    """Compares one chunk's resources with the system's rows and writes the differences in bulk."""

    def __init__(self, importer: _Importer, system: _System):
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
            new = dict(old)
            for key in ITEM_KEYS:
                if key in values:
                    new[key] = values[key]
            if "sharing_type" in values:
                new["sharing_type"] = values["sharing_type"]
                old_cmp = {**old, "sharing_type": _norm_sharing(old["sharing_type"], sharing)}
            else:
                old_cmp = old
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

