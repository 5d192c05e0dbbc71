"""Applying a catalog workbook to the database: one transaction, idempotent, in bulk.

Keyed by unit + system + resource title + item name: a record in the file and in the database
is the same record. Re-importing a file changes nothing; a changed file updates what changed;
what the database holds for a system and the file does not is reported ("would delete") and
deleted only with `replace=True`. Any problem, and nothing is written (the savepoint rolls
back); `dry_run=True` does all the work and rolls back too, so its report is exact.

Units are never created by an import; systems are, through the `system_create` action. The
writes are the catalog store's (`registry.catalog.store`): the same defaults, versions and audit
rows as the per-record actions, written as Core executemany per chunk of the file, with the
existing rows of a system fetched in one query, so 200,000 items are one pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from catalog_schema import vocabularies as vocab
from registry.catalog import store
from registry.core.actions import Context, call_action
from registry.core.authz import require_unit_writer
from registry.core.db import utcnow
from registry.core.errors import ValidationFailed
from registry.core.locks import lock_unit
from registry.catalog.lookup import get_unit
from registry.catalog.models import InformationSystem, Unit
from importers import provided
from importers.catalog_reader import CatalogReader, Chunk
from importers.catalog_writer import I, ITEM_COLUMNS, LISTED, RESOURCE_COLUMNS, R, ChunkWriter, SystemRows
from importers.problems import ImportFailed

ACTION = "catalog_import"


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
                   system: str | None = None, dry_run: bool = False, replace: bool = False, parsed=None) -> dict:
    """Import one file; returns the report, or raises ImportRefused / ImportFailed / NotAuthorized.

    `parsed`: the file already parsed before the transaction (importers.actions.ParsedFile), used
    when it was parsed for the same unit."""
    explicit = import_unit(ctx, unit)
    lock_unit(ctx.session, explicit.id if explicit else None, "import")  # one import per unit at a time
    max_bytes = ctx.settings.max_upload_mb * 1024 * 1024 if ctx.settings else 20 * 1024 * 1024
    unit_name = explicit.name if explicit else None
    if parsed is not None and parsed.reader is not None and parsed.unit_name == unit_name:
        reader = parsed.reader
    else:
        reader = CatalogReader(path, filename, unit=unit_name, system=system, max_bytes=max_bytes)
    importer = _Importer(ctx, reader, explicit, ImportReport(reader.filename, dry_run, replace))
    collected = provided.Collector()
    savepoint = ctx.session.begin_nested()
    try:
        for chunk in reader.chunks():
            importer.apply(chunk)
            collected.add_chunk(chunk)
        if reader.problems:
            raise ImportFailed(reader.problems, importer.file_units, reader.notices)
        importer.finish()
    except ImportFailed as exc:
        savepoint.rollback()
        exc.already_provided = _already_provided(ctx, importer, collected)[0]
        raise
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        ctx.changed_resources.difference_update(importer.touched)
    else:
        savepoint.commit()
    importer.report.notices = reader.notices
    result = importer.report.as_dict()
    warnings, notices = _already_provided(ctx, importer, collected)
    result["already_provided"], result["notices"] = warnings, result["notices"] + notices
    return result


def _already_provided(ctx: Context, importer: "_Importer", collected: "provided.Collector") -> tuple[list, list]:
    """Items of the file another unit already provides (warn before collecting, Art. 28), each
    looked up for the unit it is imported into."""
    warnings, notices = [], []
    by_unit: dict[int | None, list] = {}
    for entry in collected.entries:
        found = importer.units.get(vocab.fold(entry.unit))
        by_unit.setdefault(found[0] if found else None, []).append(entry)
    for unit_id, entries in by_unit.items():
        more, said = provided.already_provided(ctx, unit_id, entries)
        warnings += more
        notices += [n for n in said if n not in notices]
    return warnings, notices


def import_unit(ctx: Context, ref) -> Unit | None:
    """The unit a file is imported into: the one named, else a department user's own, else none
    (the file then names its units)."""
    if ref not in (None, ""):
        return find_unit(ctx.session, ref)
    if ctx.user is not None and getattr(ctx.user, "role", None) == "department":
        return ctx.session.get(Unit, ctx.user.unit_id)
    return None


def find_unit(session, ref) -> Unit:
    """A unit by id, code or exact name (the upload form and the CLI accept any of them)."""
    if isinstance(ref, str) and not ref.isdecimal():
        by_name = session.scalar(select(Unit).where(Unit.name == vocab.clean(ref)))
        if by_name is not None:
            return by_name
    return get_unit(session, ref, "unit")


class _Importer:
    def __init__(self, ctx: Context, reader: CatalogReader, explicit: Unit | None, report: ImportReport):
        self.ctx, self.session, self.reader, self.report = ctx, ctx.session, reader, report
        self.explicit = explicit
        self.units = {}
        for uid, name, code in self.session.execute(select(Unit.id, Unit.name, Unit.code)):
            self.units[vocab.fold(name)] = (uid, name, code)
            self.units.setdefault(vocab.fold(code), (uid, name, code))
        # Units the file uses, held for the whole import: the session's identity map keeps an
        # object only while it is referenced, and system_create looks its unit up per new system.
        self.unit_objects: dict[int, Unit] = {}
        self.authorized: set[int] = set()
        self.unknown: set[str] = set()
        self.systems: dict[int, dict[str, tuple[int, str]]] = {}   # unit id → folded name/code → (id, name)
        self.current: SystemRows | None = None
        self.unseen: dict[int, dict[int, tuple[str, str, str]]] = {}  # system → resource id → names
        self.touched: set[int] = set()
        self.file_units: list[str] = []
        self.now = utcnow()
        self.action = ACTION

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
            self.unit_objects[found[0]] = self.session.get(Unit, found[0])
        if self.explicit is not None and found[0] != self.explicit.id:
            if chunk.unit not in self.unknown:
                self.unknown.add(chunk.unit)
                self.reader.problem(chunk.unit_cell, chunk.unit,
                                    f"文件中的部门名称“{chunk.unit}”与所选单位“{self.explicit.name}”不一致")
            return None
        return found

    def _system(self, unit: tuple[int, str, str], chunk: Chunk) -> SystemRows | None:
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
            self.current = SystemRows(found[0], unit_id, unit_name, found[1], key)
        else:
            self.current = SystemRows(found[0], unit_id, unit_name, found[1], key)
            self._prefetch(self.current)
        return self.current

    def _prefetch(self, system: SystemRows) -> None:
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
        ChunkWriter(self, system).write(chunk.resources)

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
        snapshots = store.bulk_delete_resources(self.ctx, ACTION, ids, self.now)
        counts["resources_deleted"] = len(ids)
        counts["items_deleted"] += sum(len(s["items"]) for s in snapshots.values())
        self.touched.update(ids)
