"""Where a value came from, what is wrong with it, and the two ways an import fails.

A problem names its sheet, row, column letter, the value and the reason in Chinese, so a clerk
finds the cell; the page, the API, the CLI and the annotated workbook all show these same fields.
"""
from __future__ import annotations

from dataclasses import dataclass

from registry.core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class Cell:
    """A source cell: sheet name, 1-based row and column (column 0: the sheet or line itself)."""

    sheet: str
    row: int
    column: int = 0

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter
        return get_column_letter(self.column) if self.column else ""

    def __str__(self) -> str:
        return f"{self.sheet}!{self.letter}{self.row}" if self.column else f"{self.sheet} 第{self.row}行"


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    value: str
    reason: str

    @classmethod
    def at(cls, cell: Cell | None, value, reason: str) -> "Problem":
        text = "" if value is None else str(value)
        text = text if len(text) <= 200 else text[:200] + "…"
        if cell is None:
            return cls("", None, "", text, reason)
        return cls(cell.sheet, cell.row or None, cell.letter, text, reason)

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason}

    def where(self) -> str:
        parts = [f"工作表“{self.sheet}”" if self.sheet else "", f"第{self.row}行" if self.row else "",
                 f"{self.column}列" if self.column else ""]
        return "".join(parts) or "文件"


class ImportRefused(ValidationFailed):
    """The file itself cannot be read (type, size, damage): refused before or while opening it."""

    def __init__(self, reason: str, filename: str = ""):
        self.problems = [Problem("", None, "", filename, reason)]
        super().__init__({"upload": [reason]})
        self.message = f"无法导入：{reason}"
        self.args = (self.message,)

    def error_dict(self) -> dict:
        return {**super().error_dict(), "problems": [p.as_dict() for p in self.problems]}


class ImportFailed(ValidationFailed):
    """The file was read and has problems: nothing was written; every problem is listed."""

    def __init__(self, problems: list[Problem], units: list[str] | None = None, notices: list[str] | None = None):
        self.problems = problems
        self.units = units or []
        self.notices = notices or []
        self.errors = {"problems": [p.as_dict() for p in problems]}
        first = problems[0]
        self.message = (f"导入未完成：发现 {len(problems)} 处问题，未写入任何数据"
                        f"（第一处：{first.where()}，{first.reason}）")
        Exception.__init__(self, self.message)

    def error_dict(self) -> dict:
        found = {"__type": self.ckan_type, "message": self.message, "problems": self.errors["problems"]}
        if getattr(self, "already_provided", None):   # warn before collecting (importers.provided)
            found["already_provided"] = self.already_provided
        return found
