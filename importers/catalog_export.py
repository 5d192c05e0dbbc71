"""Exporting the catalog of a unit, a system or the whole county back to the Attachment 2 layout.

Sheet "信息资源目录": the form's title and two-level header plus the county variant's 系统名称
column, one row per item, the resource-level cells merged vertically over their items, Chinese
labels for every vocabulary value. Importing it again gives the same records: 共享类型 is merged
when every item shares the resource's, otherwise each row carries its item's own.

Sheet "明细": one row per item with every column (codes and names of unit and system too), for
filtering and pivot tables. Its title line says "导入时忽略此表", and the reader honours that.

Streams: resources are read in batches and written with openpyxl's write-only mode, so the
whole county (200,000 items) never sits in memory as cells.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_schema import vocabularies as vocab
from registry.catalog.lookup import get_system, get_unit
from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit
from importers import layout
from importers.workbook_style import BodyCells, append_header, append_title, merge, set_widths
from importers.xlsx_text import text_row
from registry.core import clock
from registry.core.names import by_pinyin

R, I, S, U = InformationResource, InformationItem, InformationSystem, Unit
BATCH = 500
MERGED_KEYS = ("title", "format_class", "format_type", "sharing_method", "open_to_public", "open_conditions",
               "update_cycle")
DETAIL_HEADER = ("部门代码", "部门名称", "系统代码", "系统名称", "资源标识", "信息资源名称", "信息资源格式分类",
                 "信息资源格式类型", "信息项名称", "数据类型", "数据长度", "共享类型", "资源共享类型", "共享方式",
                 "是否向社会开放", "开放条件", "数据更新周期", "信息项排序", "非标准值")


def export_filename(session: Session, unit=None, system=None) -> str:
    from datetime import date
    if system is not None:
        scope = get_system(session, system, "system").name
    elif unit is not None:
        scope = get_unit(session, unit, "unit").name
    else:
        scope = "全县"
    return f"信息资源目录-{scope}-{clock.today():%Y%m%d}.xlsx"


def export_catalog(session: Session, out: Path | str, *, unit=None, system=None, public_only: bool = False,
                   progress=None) -> dict:
    """Write the workbook for a unit (id/code), a system (id/code) or everything; returns counts.
    `public_only`: only the resources open to the public (what an anonymous caller may read);
    `progress`: an action's progress channel (resources written)."""
    query = (select(R, S.name, S.code, U.name, U.code).join(S, S.id == R.system_id).join(U, U.id == R.unit_id)
             .order_by(by_pinyin(U.name), by_pinyin(S.name), R.id))
    scope = []
    if system is not None:
        scope = [R.system_id == get_system(session, system, "system").id]
    elif unit is not None:
        scope = [R.unit_id == get_unit(session, unit, "unit").id]
    if public_only:
        scope.append(R.open_to_public.is_(True))
    query = query.where(*scope)
    if progress is not None:
        progress.start(session.scalar(select(func.count(R.id)).where(*scope)) or 0, "导出信息资源")
    writer = _Writer()
    batch: list = []
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        batch.append(row)
        if len(batch) >= BATCH:
            writer.write(batch, _items_of(session, batch))
            if progress is not None:
                progress.advance(len(batch))
            batch = []
    if batch:
        writer.write(batch, _items_of(session, batch))
        if progress is not None:
            progress.advance(len(batch))
    if progress is not None:
        progress.note("保存工作簿 …")
    return writer.save(out)


def _items_of(session: Session, batch: list) -> dict[int, list]:
    ids = [row[0].id for row in batch]
    items: dict[int, list] = {rid: [] for rid in ids}
    stmt = (select(I.resource_id, I.name, I.data_type, I.data_length, I.sharing_type, I.position)
            .where(I.resource_id.in_(ids)).order_by(I.resource_id, I.position, I.id))
    for item in session.execute(stmt):
        items[item.resource_id].append(item)
    return items


class _Writer:
    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self.main = self.book.create_sheet(layout.SHEET_TITLE)
        self.detail = self.book.create_sheet(layout.DETAIL_SHEET)
        self.columns = layout.COLUMNS
        self.index = {c.key: i for i, c in enumerate(self.columns, 1)}
        self.body = BodyCells(self.main)
        set_widths(self.main, self.columns)
        self.main.freeze_panes = "A4"
        self.row = append_title(self.main, layout.TITLE, len(self.columns), 1)
        self.row = append_header(self.main, self.columns, self.row)
        self.detail.append([f"信息资源目录明细（供筛选、统计使用；{layout.IGNORE_MARK}，修改请在“{layout.SHEET_TITLE}”表中进行）"])
        self.detail.append(list(DETAIL_HEADER))
        self.detail.freeze_panes = "A3"
        self.runs = {"unit": [None, 0], "system": [None, 0]}   # value, first row of the current run
        self.counts = {"units": set(), "systems": set(), "resources": 0, "items": 0}

    def write(self, batch: list, items: dict[int, list]) -> None:
        for res, system_name, system_code, unit_name, unit_code in batch:
            rows = items[res.id] or [None]
            first = self.row
            last = first + len(rows) - 1
            own = [i.sharing_type for i in rows if i is not None]
            shared_merge = not any(own)
            for n, item in enumerate(rows):
                self._main_row(res, item, unit_name, system_name, n == 0, shared_merge)
                if item is not None:
                    self._detail_row(res, item, unit_name, unit_code, system_name, system_code)
            if last > first:
                keys = MERGED_KEYS + (("sharing_type",) if shared_merge else ())
                for key in keys:
                    merge(self.main, self.index[key], first, self.index[key], last)
            self.counts["units"].add(unit_code)
            self.counts["systems"].add(system_code)
            self.counts["resources"] += 1
            self.counts["items"] += len(items[res.id])

    def _main_row(self, res, item, unit_name, system_name, first: bool, shared_merge: bool) -> None:
        values = dict.fromkeys(self.index)
        if first:
            values.update(title=res.title, format_class=vocab.FORMAT_CLASS.label_of(res.format_class),
                          format_type=vocab.FORMAT_TYPE.label_of(res.format_type),
                          sharing_method=vocab.SHARING_METHOD.label_of(res.sharing_method),
                          open_to_public="是" if res.open_to_public else "否",
                          open_conditions=res.open_conditions or None,
                          update_cycle=vocab.UPDATE_CYCLE.label_of(res.update_cycle))
        if self.runs["unit"][0] != unit_name:
            values["unit"] = unit_name
        if self.runs["system"][0] != (unit_name, system_name):
            values["system"] = system_name
        if first or not shared_merge:
            own = item.sharing_type if item is not None else None
            values["sharing_type"] = vocab.SHARING_TYPE.label_of(own or res.sharing_type)
        if item is not None:
            values.update(item_name=item.name, data_type=layout.data_type_label(item.data_type) or None,
                          data_length=item.data_length)
        body = self.body
        self.main.append([body(values[c.key] if values[c.key] != "" else None) for c in self.columns])
        self._start_runs(unit_name, system_name)
        self.row += 1

    def _start_runs(self, unit_name, system_name) -> None:
        """The unit and system columns are merged over each run of rows of the same unit / system."""
        if self.runs["unit"][0] != unit_name:
            self._close_run("unit")
            self.runs["unit"] = [unit_name, self.row]
        if self.runs["system"][0] != (unit_name, system_name):
            self._close_run("system")
            self.runs["system"] = [(unit_name, system_name), self.row]

    def _close_run(self, key: str) -> None:
        value, start = self.runs[key]
        if value is not None and self.row - 1 > start:
            merge(self.main, self.index[key], start, self.index[key], self.row - 1)

    def _detail_row(self, res, item, unit_name, unit_code, system_name, system_code) -> None:
        nonstandard = [label for label, ok in (
            ("信息资源格式类型", vocab.FORMAT_TYPE.is_standard(res.format_type)),
            ("数据更新周期", vocab.UPDATE_CYCLE.is_standard(res.update_cycle)),
            ("数据类型", vocab.DATA_TYPE.is_standard(item.data_type))) if not ok]
        self.detail.append(text_row(self.detail, [
            unit_code, unit_name, system_code, system_name, res.name, res.title,
            vocab.FORMAT_CLASS.label_of(res.format_class) or None, vocab.FORMAT_TYPE.label_of(res.format_type) or None,
            item.name, layout.data_type_label(item.data_type) or None, item.data_length,
            vocab.SHARING_TYPE.label_of(item.sharing_type or res.sharing_type),
            vocab.SHARING_TYPE.label_of(res.sharing_type), vocab.SHARING_METHOD.label_of(res.sharing_method) or None,
            "是" if res.open_to_public else "否", res.open_conditions or None,
            vocab.UPDATE_CYCLE.label_of(res.update_cycle) or None,
            None if item.position is None else item.position + 1,  # 序号 counts from 1, as on the pages
            "、".join(nonstandard) or None]))

    def save(self, out: Path | str) -> dict:
        self._close_run("unit")
        self._close_run("system")
        self.book.save(out)
        return {key: len(value) if isinstance(value, set) else value for key, value in self.counts.items()}
