"""Reading an Attachment 2 catalog (.xlsx, .xls, .csv) into units → systems → resources → items.

Real forms are messy, so the reader finds its way by text, never by fixed positions:
- the header row is the row naming both 信息资源名称 and 信息项名称 (after blank rows, title
  lines, extra columns); 分类/类型 under a merged 信息资源格式 cell form a second header row;
- a resource starts where 信息资源名称 is filled with a new title; blank resource cells below it
  (vertically merged, or simply left empty) and the same title repeated continue it;
- item cells that are merged vertically over several items give each of those items the value;
- the 填表说明 block or a signature line under the table ends it; a repeated header starts anew;
- the unit comes from a 部门名称 column, else a title line "部门名称：XX", else the caller;
- the system from a 系统名称 column, else a title line "系统名称：XX系统", else the sheet's name
  when it looks like a system's, else the caller's explicit choice; else it is a problem, never
  a guess.

`CatalogReader.chunks()` streams: it yields the resources of one unit's system a few hundred at a
time, so a 200,000-item file never sits in memory. `read_catalog()` collects everything into a
`ParseResult` for callers that want the whole nested catalog (tests, small files).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from catalog_schema import vocabularies as vocab
from importers import layout
from importers.catalog_table import Table, header_columns
from importers.cells import CellChecks
from importers.problems import Cell, Problem
from importers.records import Chunk, ItemRecord, ParseResult, ResourceRecord, SystemBlock, UnitBlock
from importers.sources import SheetSource, check_file, iter_sheets, plain

HEADER_SEARCH_ROWS = 50     # filled rows searched for a header before a sheet is skipped

__all__ = ["CatalogReader", "Chunk", "ItemRecord", "ParseResult", "ResourceRecord", "read_catalog"]


class CatalogReader:
    """Checks the file at once (type, size, zip), then parses it lazily through `chunks()`."""

    def __init__(self, path: Path | str, filename: str | None = None, *, unit: str | None = None,
                 system: str | None = None, max_bytes: int = 20 * 1024 * 1024):
        self.path = Path(path)
        self.filename = filename or self.path.name
        self.kind = check_file(self.path, self.filename, max_bytes)
        self.explicit_unit = vocab.clean(unit) if unit else None
        self.explicit_system = vocab.trim(system) if system else None
        self.checks = CellChecks()
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.tables = 0
        self.resource_count = 0
        self.item_count = 0
        self.seen_titles: dict[tuple[str, str], dict[str, int]] = {}
        self.sheet_order: dict[str, int] = {}
        self._prefetched: list[Chunk] | None = None

    def problem(self, cell: Cell | None, value, reason: str) -> None:
        self.problems.append(Problem.at(cell, value, reason))

    def prefetch(self) -> "CatalogReader":
        """Parse the whole file now (a small upload, before the write transaction opens, so the
        database's write lock is not held while openpyxl reads); `chunks()` then replays it."""
        self._prefetched = list(self._parse())
        return self

    def chunks(self) -> Iterator[Chunk]:
        return iter(self._prefetched) if self._prefetched is not None else self._parse()

    def _parse(self) -> Iterator[Chunk]:
        for sheet in iter_sheets(self.path, self.kind, self.filename):
            self.sheet_order.setdefault(sheet.name, len(self.sheet_order))
            yield from _SheetParser(self, sheet).chunks()
        if self.tables == 0:
            self.problem(None, self.filename, "没有找到信息资源目录的表头：表格须有“信息资源名称”和“信息项名称”两列")
        elif self.resource_count == 0:
            self.problem(None, self.filename, "表格中没有信息资源数据（只有表头，或数据行全部为空）")
        order = self.sheet_order
        self.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0, len(p.column), p.column))


def read_catalog(path: Path | str, filename: str | None = None, **options) -> ParseResult:
    """The whole file as a nested catalog plus its problems (for files that fit in memory)."""
    reader = CatalogReader(path, filename, **options)
    units: dict[str, UnitBlock] = {}
    for chunk in reader.chunks():
        unit = units.setdefault(chunk.unit or "", UnitBlock(chunk.unit or "", chunk.unit_cell))
        system = unit.systems.setdefault(chunk.system or "", SystemBlock(chunk.system or "", chunk.system_source,
                                                                         chunk.system_cell))
        system.resources.extend(chunk.resources)
    return ParseResult(reader.filename, units, reader.problems, reader.notices)


class _SheetParser:
    """One sheet: title lines, then one or more tables (header, data rows, notes)."""

    def __init__(self, reader: CatalogReader, sheet: SheetSource):
        self.reader, self.sheet, self.name = reader, sheet, sheet.name
        self.lines: dict[str, tuple[Cell, str]] = {}

    def chunks(self) -> Iterator[Chunk]:
        table: Table | None = None
        searched = 0
        after_notes = None
        for number, values in self.sheet.rows:
            if table is None:
                texts = [plain(v) for v in values]
                if not any(texts):
                    continue
                if any(layout.IGNORE_MARK in t for t in texts if t):
                    self.reader.notices.append(f"工作表“{self.name}”标明“{layout.IGNORE_MARK}”，未导入")
                    return
                columns = header_columns(texts)
                if columns is not None:
                    table = Table(self, number, columns)
                    searched, after_notes = 0, None
                    continue
                if after_notes is not None:
                    self._check_after_notes(number, texts, after_notes)
                for key, (index, text) in layout.title_line_values(texts).items():
                    self.lines[key] = (Cell(self.name, number, index + 1), text)
                searched += 1
                if searched > HEADER_SEARCH_ROWS:
                    if after_notes is None:
                        self.reader.notices.append(f"工作表“{self.name}”前 {HEADER_SEARCH_ROWS} 行没有表头，已跳过")
                    return
                continue
            outcome = table.row(number, values)
            yield from table.take_ready()
            if outcome is not None:
                yield from table.finish()
                if outcome == "header":
                    table = Table(self, number, header_columns([plain(v) for v in values]))
                else:
                    table, after_notes = None, number
        if table is not None:
            yield from table.finish()

    def _check_after_notes(self, number: int, texts: list, notes_row: int) -> None:
        filled = [t for t in texts if t]
        if len(filled) >= 3 and not any(layout.is_note_line(t) for t in filled):
            self.reader.problem(Cell(self.name, number), " | ".join(filled[:4]),
                                f"第{notes_row}行的填表说明之后仍有疑似数据的内容，未能导入：请把它移到表格内或删除")
