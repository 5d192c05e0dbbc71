"""What the catalog reader produces: resources with their items, each value with its source cell."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from importers.problems import Cell, Problem


class ItemRecord:
    __slots__ = ("values", "row", "origins")

    def __init__(self, values: dict, row: int, origins: dict | None):
        self.values = values      # name, position, and data_type / data_length / sharing_type when present
        self.row = row
        self.origins = origins    # key → Cell, where the value came from a merged cell above


class ResourceRecord:
    """One resource: its values (only the columns the table has) and its items, with source cells."""

    __slots__ = ("title", "values", "sheet", "row", "columns", "items", "names")

    def __init__(self, title: str, values: dict, sheet: str, row: int, columns: dict[str, int]):
        self.title, self.values, self.sheet, self.row, self.columns = title, values, sheet, row, columns
        self.items: list[ItemRecord] = []
        self.names: dict[str, int] = {}

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.columns)

    def cell(self, key: str, row: int | None = None) -> Cell:
        return Cell(self.sheet, row or self.row, self.columns.get(key, -1) + 1)

    def item_cell(self, item: ItemRecord, key: str) -> Cell:
        if item.origins and key in item.origins:
            return item.origins[key]
        return self.cell(key, item.row)


@dataclass
class Chunk:
    """Consecutive resources of one system of one unit (None where it could not be determined)."""

    unit: str | None
    unit_cell: Cell | None
    system: str | None
    system_source: str            # column | title | sheet | explicit
    system_cell: Cell | None
    resources: list[ResourceRecord] = field(default_factory=list)


@dataclass
class SystemBlock:
    name: str
    source: str
    cell: Cell | None
    resources: list[ResourceRecord] = field(default_factory=list)


@dataclass
class UnitBlock:
    name: str
    cell: Cell | None
    systems: dict[str, SystemBlock] = field(default_factory=dict)


@dataclass
class ParseResult:
    filename: str
    units: dict[str, UnitBlock]
    problems: list[Problem]
    notices: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def resources(self) -> Iterator[tuple[str, str, ResourceRecord]]:
        for unit in self.units.values():
            for system in unit.systems.values():
                for res in system.resources:
                    yield unit.name, system.name, res
