"""Data type and length as evidence for or against an element mapping.

Why: a name alone can mislead. A D (date) field named 证件号码 cannot hold an ID number, and an
18-long character field named 证件号码 almost certainly does (GB 11643). Only a conflict of type
*family* rejects a mapping: catalogs size character fields generously (身份证号 C(50)) and
store dates and codes as characters or numbers (出生日期 C(8), 邮政编码 N(6)), so C is
compatible with everything and numbers are compatible with dates and codes.
"""
from __future__ import annotations

import re

from catalog_schema.data_elements import DataElement
from catalog_schema.vocabularies import DATA_TYPE, split_type_and_length

FAMILY = {"C": "char", "M": "char", "N": "num", "I": "num", "B": "num", "F": "num", "Y": "num",
          "D": "date", "T": "date", "L": "bool", "G": "blob"}

# Non-standard spellings seen in catalogs (stored as written), by the family they describe.
_LOOSE = (
    (("二进制", "图片", "图像", "影像", "照片", "文件", "附件", "blob", "image", "raw", "bytea"), "G"),
    (("日期时间", "时间戳", "timestamp", "datetime", "时间"), "T"),
    (("日期", "date"), "D"),
    (("布尔", "逻辑", "bool", "bit"), "L"),
    (("货币", "金额", "money"), "Y"),
    (("双精度", "double"), "B"),
    (("浮点", "小数", "float", "real"), "F"),
    (("整", "int", "long"), "I"),
    (("数值", "数字", "数", "number", "numeric", "decimal"), "N"),
    (("备注", "大文本", "长文本", "clob", "memo", "text"), "M"),
    (("字符", "文本", "串", "char", "string", "varchar", "nvarchar"), "C"),
)


# Database type names that end in a digit (Oracle's VARCHAR2, NVARCHAR2), with their length.
_DIGIT_TYPE = re.compile(r"^\s*([a-z_]+\d?)\s*[(（]\s*(\d+)\s*(?:[,，]\s*\d+\s*)?[)）]\s*$", re.IGNORECASE)


def parse_type(data_type: str | None, length: int | str | None) -> tuple[str | None, int | None]:
    """(type code, length) from what a catalog wrote: "C", "字符型", "varchar(18)", "二进制" …

    An unknown spelling gives None (no evidence) rather than an error: the catalog stores it
    as written and the Bureau reviews it elsewhere.
    """
    length = _as_int(length)
    if data_type is None or not str(data_type).strip():
        return None, length
    spelling, written_length = split_type_and_length(str(data_type))
    if written_length is None and (found := _DIGIT_TYPE.match(spelling)):  # VARCHAR2(18), NVARCHAR2(50)
        spelling, written_length = found.group(1), int(found.group(2))
    if length is None:
        length = written_length
    code = DATA_TYPE.normalize(spelling)
    if code is None:
        lowered = spelling.lower()
        code = next((c for words, c in _LOOSE if any(w in lowered for w in words)), None)
    return code, length


def _as_int(value: int | str | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().split(",")[0].split(".")[0]
    return int(text) if text.isdecimal() else None


def compatible(element: DataElement, type_code: str | None) -> bool:
    """False only when the item's type family cannot hold the element's values."""
    if type_code is None or element.data_type is None:
        return True
    item, expected = FAMILY.get(type_code), FAMILY.get(element.data_type)
    if item is None or expected is None or item == "char" or item == expected:
        return True
    if item == "num":
        return expected in ("char", "date", "bool")
    if item == "date":
        return False  # a date field holds neither a code, a name, nor an amount
    if item == "bool":
        return False
    if item == "blob":
        return expected == "char" and element.data_type == "M"
    return True


def length_conflict(element: DataElement, type_code: str | None, length: int | None) -> bool:
    """True when a fixed-length code (c18, c17 …) cannot fit the declared character length."""
    if not element.fixed_length or element.length is None or length is None:
        return False
    if type_code not in (None, "C", "M"):
        return False
    return length < element.length and not (element.length == 18 and length == 15)
