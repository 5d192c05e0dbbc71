"""The registry of standard government data elements (数据元), loaded from data_elements.csv.

Why a registry: every unit names its information items its own way, and string similarity
alone cannot tell 出生日期 from 死亡日期. The national standards already publish the answer key
for the common items (GA/T 543 公安数据元 with its 同义名称, GB/T 19488.2 电子政务数据元,
GB 11643 公民身份号码, GB 32100 统一社会信用代码, the 双公示 data standard …); this file holds
that knowledge as data, so the Bureau can extend it (confirmed review findings become new
synonyms) without touching code.

CSV columns: id (stable, "DE0001"), name (preferred name), synonyms (同义名称, separated by
"、"), category, subject (自然人 / 法人 / 车辆 / 不动产 / 事项 / 证照 / 地理 / 通用), data_type
(a DATA_TYPE code), length, fixed_length ("Y" when the standard fixes the length, e.g. c18),
source_unit (the authoritative unit kind, e.g. 公安 for 人口, 市场监管 for 法人) and standard.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("data_elements.csv")

SUBJECTS = ("自然人", "法人", "车辆", "不动产", "事项", "证照", "地理", "通用")


@dataclass(frozen=True)
class DataElement:
    id: str
    name: str
    synonyms: tuple[str, ...]
    category: str
    subject: str
    data_type: str | None
    length: int | None
    fixed_length: bool
    source_unit: str | None
    standard: str | None

    @property
    def spellings(self) -> tuple[str, ...]:
        """The preferred name followed by every synonym."""
        return (self.name, *self.synonyms)


def _row_to_element(row: dict[str, str]) -> DataElement:
    synonyms = tuple(s.strip() for s in (row.get("synonyms") or "").split("、") if s.strip())
    length = (row.get("length") or "").strip()
    return DataElement(
        id=row["id"].strip(),
        name=row["name"].strip(),
        synonyms=synonyms,
        category=row["category"].strip(),
        subject=row["subject"].strip(),
        data_type=(row.get("data_type") or "").strip() or None,
        length=int(length) if length else None,
        fixed_length=(row.get("fixed_length") or "").strip().upper() == "Y",
        source_unit=(row.get("source_unit") or "").strip() or None,
        standard=(row.get("standard") or "").strip() or None,
    )


def load_elements(path: str | Path | None = None) -> tuple[DataElement, ...]:
    """All elements of the registry file, in file order. Raises ValueError on a malformed row."""
    if path is None:
        return _default_elements()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _default_elements() -> tuple[DataElement, ...]:
    return _read(DEFAULT_PATH)


def _read(path: Path) -> tuple[DataElement, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        elements = tuple(_row_to_element(row) for row in csv.DictReader(fh))
    seen: set[str] = set()
    for element in elements:
        if element.id in seen:
            raise ValueError(f"数据元编号重复：{element.id}")
        if element.subject not in SUBJECTS:
            raise ValueError(f"{element.id} 的主体“{element.subject}”不在 {SUBJECTS} 中")
        seen.add(element.id)
    return elements


def elements_by_id(path: str | Path | None = None) -> dict[str, DataElement]:
    return {e.id: e for e in load_elements(path)}
