"""The Attachment 2 vocabularies: one code, one Chinese label, and every accepted variant.

Every module that reads or shows a vocabulary value (schemas, importers, templates, search)
goes through this module, so a variant accepted by the Excel import is accepted by the API too.

Closed lists refuse unknown values. Open lists (the source ends them with "等") accept any
value: a standard one is stored as its code, anything else is stored as written and reported
as non-standard for the Bureau to review.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    name: str
    label: str
    terms: tuple[Term, ...]
    open: bool = False
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _terms: dict[str, Term] = field(default_factory=dict, compare=False, repr=False)  # by code

    def __post_init__(self) -> None:
        self._terms.update((t.code, t) for t in self.terms)
        for term in self.terms:
            for spelling in (term.code, term.label, *term.variants):
                self._lookup[fold(spelling)] = term.code

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.terms]

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.terms]

    def normalize(self, value: str) -> str | None:
        """The code for a spelling of a standard term, or None when it is not one."""
        return self._lookup.get(fold(value))

    def resolve(self, value: str) -> str:
        """The stored form of `value`: the code, or for an open list the value as written.

        Raises ValueError with a Chinese message listing the allowed labels for a closed list.
        """
        code = self.normalize(value)
        if code is not None:
            return code
        if self.open and clean(value):
            return trim(value)
        raise ValueError(f"“{clean(value)}”不是有效的{self.label}，可选值：{'、'.join(self.labels)}")

    def is_standard(self, stored: str | None) -> bool:
        return stored is None or stored in self._by_code()

    def label_of(self, stored: str | None) -> str:
        """The Chinese label of a stored value (a non-standard value is its own label)."""
        if stored is None:
            return ""
        term = self._by_code().get(stored)
        return term.label if term else stored

    def _by_code(self) -> dict[str, Term]:
        return self._terms


def trim(value: str) -> str:
    """How text is stored: exactly as written, without leading and trailing white space.
    (（）：；， stay as they are; `clean` and `fold` are for matching and searching only.)"""
    return str(value).strip()


def clean(value: str) -> str:
    """For matching and searching, never for storing: NFKC (full-width → half-width), collapse
    whitespace, strip."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def fold(value: str) -> str:
    """The lookup key of a spelling: cleaned, no spaces, lower case."""
    return clean(value).replace(" ", "").lower()


FORMAT_CLASS = Vocabulary("format_class", "信息资源格式分类", (
    Term("electronic_file", "电子文件", ("电子文档", "文件")),
    Term("spreadsheet", "电子表格", ("表格",)),
    Term("database", "数据库类", ("数据库", "数据库型")),
    Term("image", "图形图像类", ("图形图像", "图像", "图片")),
    Term("streaming", "流媒体类", ("流媒体", "音视频")),
    Term("self_describing", "自表述格式", ("自表述", "自描述格式")),
))

FORMAT_TYPE = Vocabulary("format_type", "信息资源格式类型", tuple(
    Term(code, label, variants) for code, label, variants in (
        ("ofd", "OFD", ()), ("wps", "wps", ()), ("xml", "xml", ()), ("txt", "txt", ()),
        ("doc", "doc", ()), ("docx", "docx", ()), ("html", "html", ("htm",)),
        ("pdf", "pdf", ()), ("ppt", "ppt", ()), ("et", "et", ()), ("xls", "xls", ()),
        ("xlsx", "xlsx", ()), ("dm", "Dm", ("达梦", "dameng", "dm8")),
        ("kingbasees", "KingbaseES", ("kingbase", "人大金仓", "金仓")),
        ("access", "access", ()), ("dbf", "dbf", ()), ("dbase", "dbase", ()),
        ("sysbase", "sysbase", ("sybase",)), ("oracle", "oracle", ()),
        ("sqlserver", "sql server", ("sqlserver", "mssql")), ("db2", "db2", ()),
        ("jpg", "jpg", ("jpeg",)), ("gif", "gif", ()), ("bmp", "bmp", ()),
        ("swf", "swf", ()), ("rm", "rm", ()), ("mpg", "mpg", ("mpeg",)),
    )
), open=True)

DATA_TYPE = Vocabulary("data_type", "数据类型", tuple(
    Term(code, label, (f"{label}{code}", f"{label}({code})", *variants))
    for code, label, variants in (
        ("C", "字符型", ("字符", "字符串", "文本", "char", "varchar", "varchar2", "nvarchar", "string", "text")),
        ("N", "数值型", ("数值", "数字", "number", "numeric", "decimal")),
        ("Y", "货币型", ("货币", "money", "currency")),
        ("D", "日期型", ("日期", "date")),
        ("T", "日期时间型", ("日期时间", "时间", "datetime", "timestamp")),
        ("L", "逻辑型", ("逻辑", "布尔", "bool", "boolean")),
        ("M", "备注型", ("备注", "memo", "clob")),
        ("G", "通用型", ("通用", "blob", "binary")),
        ("B", "双精度型", ("双精度", "double")),
        ("I", "整型", ("整数", "整数型", "int", "integer", "bigint", "smallint")),
        ("F", "浮点型", ("浮点", "float", "real")),
    )
), open=True)

SHARING_TYPE = Vocabulary("sharing_type", "共享类型", (
    Term("unconditional", "无条件共享", ("无条件",)),
    Term("conditional", "有条件共享", ("有条件",)),
    Term("none", "不予共享", ("不共享", "不予")),
))

SHARING_METHOD = Vocabulary("sharing_method", "共享方式", (
    Term("platform", "共享交换平台", ("共享平台", "交换平台", "数据共享交换平台")),
    Term("api", "接口", ("api", "接口调用", "服务接口")),
    Term("database", "数据库", ("库表", "数据库交换")),
    Term("document", "电子文档", ("文档", "电子文件")),
))

OPEN_TO_PUBLIC = Vocabulary("open_to_public", "是否向社会开放", (
    Term("yes", "是", ("y", "yes", "true", "1", "开放", "√")),
    Term("no", "否", ("n", "no", "false", "0", "不开放", "×")),
))

UPDATE_CYCLE = Vocabulary("update_cycle", "数据更新周期", (
    Term("realtime", "实时", ("实时更新",)),
    Term("daily", "每日", ("每天", "日", "日更新", "按日")),
    Term("weekly", "每周", ("周", "按周")),
    Term("monthly", "每月", ("月", "按月")),
    Term("quarterly", "每季度", ("每季", "季度", "按季度", "按季")),
    Term("yearly", "每年", ("年", "每年度", "按年", "年度")),
), open=True)

UNIT_KIND = Vocabulary("unit_kind", "单位类型", (
    Term("department", "部门", ("县级部门", "政府部门")),
    Term("institution", "事业单位", ()),
    Term("soe", "国有企业", ("县属国有企业", "国企")),
    Term("school", "学校", ()),
    Term("hospital", "医院", ()),
))

SYSTEM_STATUS = Vocabulary("system_status", "系统状态", (
    Term("building", "在建", ()),
    Term("running", "运行", ("运行中", "在用")),
    Term("stopped", "停用", ()),
    Term("merged", "整合", ("已整合",)),
))

NETWORK = Vocabulary("network", "部署网络", (
    Term("egov", "政务外网", ("电子政务外网",)),
    Term("internet", "互联网", ()),
    Term("isolated", "孤网", ("独立网络",)),
    Term("classified", "涉密", ("涉密网",)),
))

ROLE = Vocabulary("role", "角色", (
    Term("department", "部门用户", ()),
    Term("bureau", "大数据局", ()),
    Term("finance", "财政局", ()),
    Term("reviewer", "监督查阅", ()),
    Term("admin", "管理员", ()),
))

# Attachment 1's 项目类型/类别 (填报说明: 新建、续建、改扩建).
PROJECT_TYPE = Vocabulary("project_type", "项目类型", (
    Term("new", "新建", ("新建项目", "新建类")),
    Term("continued", "续建", ("续建项目", "延续", "续建类")),
    Term("expansion", "改扩建", ("改建", "扩建", "改扩建项目", "升级改造", "改造")),
))

ALL = {v.name: v for v in (FORMAT_CLASS, FORMAT_TYPE, DATA_TYPE, SHARING_TYPE, SHARING_METHOD,
                           OPEN_TO_PUBLIC, UPDATE_CYCLE, UNIT_KIND, SYSTEM_STATUS, NETWORK, ROLE,
                           PROJECT_TYPE)}

_TYPE_WITH_LENGTH = re.compile(r"^(?P<type>[^\d(（]+?)\s*[(（]\s*(?P<len>\d+)\s*(?:[,，]\s*\d+\s*)?[)）]$")


def split_type_and_length(value: str) -> tuple[str, int | None]:
    """`varchar(20)` / `字符型C(18)` / `C` → (type spelling, length or None)."""
    text = clean(value)
    found = _TYPE_WITH_LENGTH.match(text)
    if found:
        return found.group("type").strip(), int(found.group("len"))
    return text, None
