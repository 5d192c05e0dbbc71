"""The rows under one Attachment 2 header: resources, their items, continuation and merges.

A resource starts where 信息资源名称 holds a new title; blank resource cells below it (merged
vertically, or simply left empty) and the same title repeated continue it. Item cells merged
vertically over several items give each of them the value. Rows are grouped into `Chunk`s of one
unit's system, a few hundred resources at a time, for the importer.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from catalog_schema import vocabularies as vocab
from importers import layout
from importers.problems import Cell
from importers.records import Chunk, ItemRecord, ResourceRecord
from importers.sources import plain

if TYPE_CHECKING:
    from importers.catalog_reader import _SheetParser

CHUNK_RESOURCES = 500       # resources per chunk handed to the importer
NO_SYSTEM = "无法确定所属信息系统：请在表中填写“信息系统名称”，或在上传页面选择系统（命令行加 --system 系统名称）"
NO_UNIT = "无法确定所属单位：表格中没有“部门名称”，请在上传页面选择单位（命令行加 --unit 单位代码）"

_FORMAT_SPLIT = re.compile(r"\s*[/／\\|、,，;；\s]\s*")


def header_columns(texts: list) -> dict[str, int] | None:
    """{key: 0-based column} when this row is an Attachment 2 header, else None."""
    columns: dict[str, int] = {}
    for index, text in enumerate(texts):
        key = layout.match_header(text) if text else None
        if key is not None and key not in columns:
            columns[key] = index
    if "title" in columns and "item_name" in columns:
        return columns
    return None


class Table:
    """The rows under one header: resources with their items, grouped into chunks."""

    def __init__(self, sheet: "_SheetParser", header_row: int, columns: dict[str, int]):
        self.sheet, self.reader, self.checks = sheet, sheet.reader, sheet.reader.checks
        self.name = sheet.name
        self.header_row = header_row
        self.columns = columns
        self.expect_sub_header = True
        self.ready: list[Chunk] = []
        self.chunk: Chunk | None = None
        self.current: ResourceRecord | None = None
        self.current_raw: dict = {}
        self.unit = self.system = None
        self.unit_raw = self.system_raw = self.title_raw = None
        self.unit_cell = self.system_cell = None
        self.system_source = ""
        self.reported: set[str] = set()
        self.fill: dict[tuple[int, int], tuple[int, int]] = {}
        self.anchor_rows: dict[int, list[int]] = {}
        self.anchor_values: dict[tuple[int, int], object] = {}
        self.reader.tables += 1
        self._prepare()

    def _prepare(self) -> None:
        self.cols = list(self.columns.items())
        self.item_columns = {self.columns[k] + 1 for k in layout.PER_ITEM_KEYS if k in self.columns}
        self.fill.clear()
        self.anchor_rows.clear()
        for r1, c1, r2, c2 in self.sheet.sheet.merges:
            if r2 <= r1 or r1 <= self.header_row:
                continue
            for column in range(c1, c2 + 1):
                if column in self.item_columns:
                    self.anchor_rows.setdefault(r1, []).append(column)
                    for r in range(r1 + 1, r2 + 1):
                        self.fill[(r, column)] = (r1, column)

    # ---- rows ---------------------------------------------------------------------------

    def row(self, number: int, values: tuple) -> str | None:
        """Handle one row; "notes" or "header" when this row ends the table."""
        if self.expect_sub_header:
            self.expect_sub_header = False
            if self._sub_header(values):
                return None
            if "sharing_type" not in self.columns:
                self.reader.problem(Cell(self.name, self.header_row), "", "表格缺少“共享类型”列（共享类型为必填项）")
        width = len(values)
        filled = [i for i, v in enumerate(values) if v is not None and v != ""]
        if not filled:
            return None
        if len(filled) == 1 and isinstance(values[filled[0]], str) and layout.is_note_line(values[filled[0]]) \
                and filled[0] not in (self.columns.get("item_name"), self.columns.get("title")):
            return "notes"
        raw: dict[str, object] = {}
        origins = None
        fill = self.fill
        for key, index in self.cols:
            value = values[index] if index < width else None
            if value is None:
                if fill:
                    anchor = fill.get((number, index + 1))
                    if anchor is not None:
                        value = plain(self.anchor_values.get(anchor))
                        origins = origins or {}
                        origins[key] = Cell(self.name, anchor[0], anchor[1])
            elif value.__class__ is str:   # the common case, without a call
                value = value.strip() or None
            else:
                value = plain(value)
            raw[key] = value
        if number in self.anchor_rows:
            for column in self.anchor_rows[number]:
                self.anchor_values[(number, column)] = values[column - 1] if column - 1 < width else None
        if all(v is None for v in raw.values()):
            return None
        if raw.get("title") is not None and layout.match_header(raw["title"]) == "title" \
                and raw.get("item_name") is not None and layout.match_header(raw["item_name"]) == "item_name":
            return "header"
        if "format" in raw:
            self._split_format(raw)
        self._context(number, raw)
        self._resource_row(number, raw, origins)
        return None

    def _sub_header(self, values: tuple) -> bool:
        """分类/类型 (and any other header cells) on the row under the header."""
        texts = [plain(v) for v in values]
        keys = {i: layout.match_header(t) for i, t in enumerate(texts) if t}
        if not keys or any(k is None for k in keys.values()):
            return False
        for index, key in keys.items():
            self.columns.setdefault(key, index)
            if key in ("format_class", "format_type"):
                self.columns[key] = index
        if "format_class" in self.columns or "format_type" in self.columns:
            self.columns.pop("format", None)
        self.header_row += 1
        self._prepare()
        return True

    def _split_format(self, raw: dict) -> None:
        """One 信息资源格式 column: "电子表格/xlsx", "数据库类 oracle" or just one of the two."""
        value = raw.pop("format")
        self.columns.setdefault("format_class", self.columns["format"])
        self.columns.setdefault("format_type", self.columns["format"])
        if value is None:
            raw["format_class"] = raw["format_type"] = None
            return
        parts = [p for p in _FORMAT_SPLIT.split(value, maxsplit=1) if p]
        if len(parts) == 2:
            raw["format_class"], raw["format_type"] = parts
        elif vocab.FORMAT_CLASS.normalize(value) is not None:
            raw["format_class"], raw["format_type"] = value, None
        else:
            raw["format_class"], raw["format_type"] = None, value

    def _context(self, number: int, raw: dict) -> None:
        """The unit and system of this row: its own cells, else the table's fallbacks."""
        unit, system = raw.get("unit"), raw.get("system")
        if unit is not None and unit != self.unit_raw:
            self.unit_raw = unit
            unit = vocab.clean(unit)
            if unit != self.unit:
                self._close_chunk()
                self.unit, self.unit_cell = unit, Cell(self.name, number, self.columns["unit"] + 1)
        elif unit is None and self.unit is None:
            self.unit, self.unit_cell = self._fallback_unit(number)
        if system is not None and system != self.system_raw:
            self.system_raw = system
            name, error = self.checks.system(system)
            if error:
                self._report_once(f"system:{system}", Cell(self.name, number, self.columns["system"] + 1),
                                  system, error)
                name = vocab.trim(system)
            if name != self.system:
                self._close_chunk()
                self.system, self.system_source = name, "column"
                self.system_cell = Cell(self.name, number, self.columns["system"] + 1)
        elif system is None and self.system is None:
            self.system, self.system_source, self.system_cell = self._fallback_system(number)

    def _fallback_unit(self, number: int) -> tuple[str | None, Cell | None]:
        if "unit" in self.sheet.lines:
            cell, name = self.sheet.lines["unit"]
            return name, cell
        if self.reader.explicit_unit:
            return self.reader.explicit_unit, None
        self._report_once("no-unit", Cell(self.name, number), "", NO_UNIT)
        return None, None

    def _fallback_system(self, number: int) -> tuple[str | None, str, Cell | None]:
        if "system" in self.sheet.lines:
            cell, name = self.sheet.lines["system"]
            return name, "title", cell
        if layout.sheet_names_a_system(self.name):
            return vocab.trim(self.name), "sheet", Cell(self.name, 0)
        if self.reader.explicit_system:
            return self.reader.explicit_system, "explicit", None
        self._report_once("no-system", Cell(self.name, number), self.name, NO_SYSTEM)
        return None, "", None

    def _report_once(self, key: str, cell: Cell, value, reason: str) -> None:
        if key not in self.reported:
            self.reported.add(key)
            self.reader.problem(cell, value, reason)

    # ---- resources and items ------------------------------------------------------------

    def _resource_row(self, number: int, raw: dict, origins: dict | None) -> None:
        current = self.current
        title_raw = raw.get("title")
        first = False
        if title_raw is not None and (current is None or title_raw != self.title_raw):
            self.title_raw = title_raw
            title, error = self.checks.title(title_raw)
            if current is None or title != current.title:
                self._new_resource(number, raw, title if error is None else vocab.trim(title_raw), error)
                current, first = self.current, True
        elif current is None:
            self.reader.problem(Cell(self.name, number, self.columns["title"] + 1), "",
                                "信息资源名称不能为空（本行的信息项不属于任何信息资源）")
            return
        if not first:
            self._check_continuation(number, raw)
        self._item(number, raw, origins, first)

    def _new_resource(self, number: int, raw: dict, title: str, error: str | None) -> None:
        self._close_resource()
        if self.chunk is not None and len(self.chunk.resources) >= CHUNK_RESOURCES:
            self._close_chunk()
        present = {k: raw.get(k) for k in layout.RESOURCE_KEYS if k in self.columns and k != "title"}
        if "sharing_type" in self.columns:
            present["sharing_type"] = raw.get("sharing_type")
        values, errors = self.checks.resource(present)
        res = ResourceRecord(title, values, self.name, number, self.columns)
        if error:
            self.reader.problem(res.cell("title"), raw.get("title"), error)
        for key, message in errors.items():
            self.reader.problem(res.cell(key), present.get(key), message)
        seen = self.reader.seen_titles.setdefault((vocab.fold(self.unit or ""), vocab.fold(self.system or "")), {})
        if title in seen:
            self.reader.problem(res.cell("title"), title,
                                f"同一信息系统中信息资源名称重复（与第{seen[title]}行的“{title}”相同）")
        else:
            seen[title] = number
        self.current, self.current_raw = res, present
        self.reader.resource_count += 1

    def _check_continuation(self, number: int, raw: dict) -> None:
        """A continuation row may repeat the resource's values, but not contradict them."""
        res = self.current
        for key, first_raw in self.current_raw.items():
            value = raw.get(key)
            if key == "sharing_type" or value is None:
                continue   # 共享类型 on a later row is that item's own
            if first_raw is not None and vocab.fold(value) == vocab.fold(first_raw):
                continue
            resolved, errors = self.checks.resource({key: value})
            if key in errors:
                self.reader.problem(res.cell(key, number), value, errors[key])
            elif resolved.get(key) != res.values.get(key):
                label = layout.BY_KEY[key].label if key not in ("format_class", "format_type") else \
                    "信息资源格式" + layout.BY_KEY[key].label
                shown = "（空）" if first_raw is None else first_raw
                self.reader.problem(res.cell(key, number), value,
                                    f"同一信息资源的{label}前后不一致：第{res.row}行为“{shown}”")

    def _item(self, number: int, raw: dict, origins: dict | None, first: bool) -> None:
        res, checks, problem = self.current, self.checks, self.reader.problem
        name_raw, type_raw, length_raw = raw.get("item_name"), raw.get("data_type"), raw.get("data_length")
        sharing_raw = None if first else raw.get("sharing_type")
        if name_raw is None and type_raw is None and length_raw is None and sharing_raw is None:
            return
        item = ItemRecord({}, number, origins)
        values = item.values
        name, error = checks.item_name(name_raw)
        if error:
            problem(res.item_cell(item, "item_name"), name_raw, error)
            name = name_raw or ""
        values["name"] = name
        if "data_type" in self.columns:
            code, inner_length, error = checks.data_type(type_raw)
            if error:
                problem(res.item_cell(item, "data_type"), type_raw, error)
            values["data_type"] = code
        else:
            inner_length = None
        if "data_length" in self.columns or inner_length is not None:
            length, error = checks.data_length(length_raw)
            if error:
                problem(res.item_cell(item, "data_length"), length_raw, error)
            elif inner_length is not None and length is not None and length != inner_length:
                problem(res.item_cell(item, "data_length"), length_raw,
                        f"数据长度（{length}）与数据类型“{type_raw}”中的长度（{inner_length}）不一致")
            elif inner_length is not None:
                length, error = checks.data_length(inner_length)
                if error:
                    problem(res.item_cell(item, "data_type"), type_raw, error)
            values["data_length"] = length
        if "sharing_type" in self.columns:
            own, error = checks.vocab("sharing_type", sharing_raw)
            if error:
                problem(res.item_cell(item, "sharing_type"), sharing_raw, error)
            values["sharing_type"] = own if own != res.values.get("sharing_type") else None
        if name in res.names:
            problem(res.item_cell(item, "item_name"), name_raw,
                    f"信息项名称重复：{name}（与第{res.names[name]}行相同）")
        elif name:
            res.names[name] = number
        values["position"] = len(res.items)
        res.items.append(item)
        self.reader.item_count += 1

    # ---- chunks -------------------------------------------------------------------------

    def _close_resource(self) -> None:
        if self.current is None:
            return
        if self.chunk is None:
            self.chunk = Chunk(self.unit, self.unit_cell, self.system, self.system_source, self.system_cell)
        self.current.names = {}
        self.chunk.resources.append(self.current)
        self.current = None

    def _close_chunk(self) -> None:
        self._close_resource()
        if self.chunk is not None and self.chunk.resources:
            self.ready.append(self.chunk)
        self.chunk = None

    def take_ready(self) -> Iterator[Chunk]:
        while self.ready:
            yield self.ready.pop(0)

    def finish(self) -> Iterator[Chunk]:
        self._close_chunk()
        yield from self.take_ready()
