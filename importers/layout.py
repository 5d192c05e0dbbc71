"""The Attachment 2 layout: its columns, how their headers are spelled, and its fixed texts.

The template, the reader, the export and the annotated copy all take the columns from here, so
a header the template writes is a header the reader recognises.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from catalog_schema import vocabularies as vocab

TITLE = "云阳县政务信息化项目信息资源目录"
SHEET_TITLE = "信息资源目录"
DETAIL_SHEET = "明细"
IGNORE_MARK = "导入时忽略此表"   # a sheet whose title line carries this is never imported

# The 填表说明 of Attachment 2 (云阳府办规〔2022〕4号), word for word.
NOTES = (
    "填表说明：",
    "1. 信息资源名称：描述政务信息资源内容的标题，如XX处罚信息；",
    "2. 信息资源格式分类：分为电子文件、电子表格、数据库类、图形图像类、流媒体类、自表述格式；",
    "3. 信息资源格式类型：分为OFD、wps、xml、txt、doc、docx、html、pdf、ppt、et、xls、xlsx、Dm、KingbaseES、"
    "access、dbf、dbase、sysbase、oracle、sql server、db2、jpg、gif、bmp、swf、rm、mpg等；",
    "4. 信息项名称：对政务信息的细化描述，如XX处罚信息，其数据项包括处罚依据、处罚类型、处罚内容、处罚金额等；",
    "5. 数据类型：结构化数据应标明数据类型及数据长度，包括：字符型C、数值型N、货币型Y、日期型D、日期时间型T、"
    "逻辑型L、备注型M、通用型G、双精度型B、整型I、浮点型F等；",
    "6. 共享类型：分为无条件共享、有条件共享、不予共享；",
    "7. 共享方式：分为共享交换平台、接口、数据库、电子文档；",
    "8. 数据更新周期：分为实时、每日、每周、每月、每季度、每年等。",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str                          # the header text the template and the export write
    level: str                          # unit | system | resource | item
    spellings: tuple[str, ...] = ()     # further header texts the reader accepts
    vocabulary: vocab.Vocabulary | None = None
    width: int = 14


# Attachment 2 order. `system` is the county variant's extra column (the export writes it).
COLUMNS = (
    Column("unit", "部门名称", "unit", ("单位名称", "部门", "单位", "填报单位", "填报部门", "责任部门", "提供部门",
                                     "数源部门", "信息资源提供方"), width=18),
    Column("system", "系统名称", "system", ("信息系统名称", "所属系统", "所属信息系统", "系统", "所属系统名称"),
           width=20),
    Column("title", "信息资源名称", "resource", ("资源名称", "目录名称", "信息资源目录名称", "数据资源名称"), width=22),
    Column("format_class", "分类", "resource", ("信息资源格式分类", "格式分类", "资源格式分类"), vocab.FORMAT_CLASS),
    Column("format_type", "类型", "resource", ("信息资源格式类型", "格式类型", "资源格式类型"), vocab.FORMAT_TYPE),
    Column("item_name", "信息项名称", "item", ("信息项", "数据项名称", "数据项", "字段名称", "字段名",
                                            "字段中文名称", "信息项中文名称"), width=20),
    Column("data_type", "数据类型", "item", ("字段类型",), vocab.DATA_TYPE),
    Column("data_length", "数据长度", "item", ("字段长度", "长度"), width=10),
    Column("sharing_type", "共享类型", "item", ("共享属性",), vocab.SHARING_TYPE),
    Column("sharing_method", "共享方式", "resource", ("共享途径",), vocab.SHARING_METHOD),
    Column("open_to_public", "是否向社会开放", "resource", ("是否开放", "向社会开放", "是否社会开放"),
           vocab.OPEN_TO_PUBLIC, width=10),
    Column("open_conditions", "开放条件", "resource", ("向社会开放条件", "开放条件说明"), width=20),
    Column("update_cycle", "数据更新周期", "resource", ("更新周期", "更新频率", "更新频度"), vocab.UPDATE_CYCLE),
)
BY_KEY = {c.key: c for c in COLUMNS}
FORMAT_PARENT = "信息资源格式"       # the merged parent header over 分类 / 类型
RESOURCE_KEYS = tuple(c.key for c in COLUMNS if c.level == "resource")
ITEM_KEYS = ("item_name", "data_type", "data_length", "sharing_type")
# Columns whose value belongs to each item even where it is merged vertically over several.
PER_ITEM_KEYS = frozenset(ITEM_KEYS)

_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_MARKERS = re.compile(r"[*＊※:：]")


def header_key(text: str) -> str:
    """The lookup form of a header cell: folded, without brackets, required marks or colons."""
    folded = vocab.fold(text)
    return _MARKERS.sub("", _BRACKETS.sub("", folded))


_EXACT: dict[str, str] = {header_key(s): c.key for c in COLUMNS for s in (c.label, *c.spellings)}
_EXACT[header_key(FORMAT_PARENT)] = "format"   # one column "电子表格/xlsx", unless 分类/类型 sit under it


def match_header(text) -> str | None:
    """The column key a header cell names, or None (序号, 备注 and the like are not ours).

    分类 and 类型 alone are the two halves under the merged 信息资源格式 header.
    """
    if not isinstance(text, str):
        return None
    return _EXACT.get(header_key(text))


_NOTE_START = re.compile(r"^(填表说明|填报说明|说明|注|备注|填表人|填报人|审核人|联系人|联系电话|制表人|制表|"
                         r"单位负责人|负责人|审核)\s*[:：、.．0-9０-９(（]")


def is_note_line(text: str) -> bool:
    """A notes block or signature line under the table (填表说明：…, 填表人：…)."""
    return bool(_NOTE_START.match(vocab.clean(text)))


# a name may hold a bracketed part (XX系统（二期）); an unmatched closing bracket ends it
_NAME = r"(?P<value>(?:[（(][^:：（()）]*[）)]|[^:：（()）])*?)"
_SYSTEM_LINE = re.compile(r"(?:所属)?(?:信息)?系统名称\s*[:：]\s*" + _NAME + r"\s*"
                          r"(?=$|[)）]|\s{2,}|(?:部门|单位)名称\s*[:：]|填报单位\s*[:：])")
_UNIT_LINE = re.compile(r"(?:部门名称|单位名称|填报单位|填报部门)\s*[:：]\s*" + _NAME + r"\s*"
                        r"(?=$|[)）]|\s{2,}|(?:所属)?(?:信息)?系统名称\s*[:：])")
_LABEL_ONLY = {"system": re.compile(r"^(?:所属)?(?:信息)?系统名称\s*[:：]?$"),
               "unit": re.compile(r"^(?:部门名称|单位名称|填报单位|填报部门)\s*[:：]?$")}


def title_line_values(cells: list[str]) -> dict[str, tuple[int, str]]:
    """From a line above the header: {"system"/"unit": (cell index, name)}.

    Reads "系统名称：XX系统" in one cell, or "系统名称：" with the name in the next filled cell.
    """
    found: dict[str, tuple[int, str]] = {}
    for index, text in enumerate(cells):
        if not text:
            continue
        text = vocab.trim(text)   # names are kept as written (（）stay); the patterns accept both widths
        for key, pattern in (("system", _SYSTEM_LINE), ("unit", _UNIT_LINE)):
            if key in found:
                continue
            match = pattern.search(text)
            if match and match.group("value").strip("_ "):
                found[key] = (index, match.group("value").strip("_ "))
            elif _LABEL_ONLY[key].match(text):
                following = next(((j, vocab.trim(t)) for j, t in enumerate(cells[index + 1:], index + 1)
                                  if t and vocab.trim(t)), None)
                if following and not any(p.match(following[1]) for p in _LABEL_ONLY.values()):
                    found[key] = following
    return found


_SYSTEM_SHEET = re.compile(r"(系统|平台|数据库|信息库|资源库|管理库|门户|网站|APP|App|app|小程序)$")


def sheet_names_a_system(name: str) -> bool:
    """Whether a sheet's name looks like a system's (ends in 系统/平台/…), not Sheet1 or 附件2."""
    return bool(_SYSTEM_SHEET.search(vocab.clean(name)))


def data_type_label(stored: str | None) -> str:
    """How the form writes a data type: 字符型C for a standard one, the value itself otherwise."""
    if stored is None:
        return ""
    if vocab.DATA_TYPE.is_standard(stored):
        return vocab.DATA_TYPE.label_of(stored) + stored
    return stored
