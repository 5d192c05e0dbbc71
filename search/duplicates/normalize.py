"""Normalisation of information-item names (信息项名称) before they are matched to data elements.

Units write the same item as 身份证号码, 身份證號碼, 身份证号码（必填）, "身份证 号码" …; none of
those differences carries meaning, so they are removed here, once, for the dictionary's
synonyms and for the names to match alike (both sides go through `canonical`).

What is kept as evidence rather than thrown away:
- bracket content (证件号码(身份证) → core 证件号码, evidence 身份证): it can decide which
  element a generic name means;
- a role qualifier (法定代表人, 经办人, 监护人 …): 法定代表人联系电话 and 经办人联系电话 are
  the same element but different data items, so the role is split off, not stripped;
- a subject designator (患者, 学生, 企业, 单位 …): it names the record's own subject, so it is
  separated from the core; the matcher decides whether dropping it is safe.

Term variants are unified only where the variants never mean different things in item names
(号码/号/编号, 编码/代码, 帐/账, X住址/X地址/X所在地 with a non-empty X, X时间/X日期). Bare 住址
and 地址 stay apart: alone they do not say whose address it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalog_schema.vocabularies import clean as nfkc_clean

# Role qualifiers: a second party of the record. Variant spelling → qualifier class.
ROLE_CLASSES: dict[str, tuple[str, ...]] = {
    "法定代表人": ("法定代表人", "法人代表", "法人代表人", "法定代表", "法定代表人代表", "企业法人", "法人",
              "法定代表人或负责人", "法定代表人负责人", "法人或负责人", "法人负责人", "理事长"),
    "负责人": ("负责人", "主要负责人", "单位负责人", "企业负责人", "机构负责人"),
    "财务负责人": ("财务负责人", "财务人员", "会计人员"),
    "经办人": ("经办人", "办理人", "代办人", "经手人", "办事人", "办税人", "办税人员", "经办人员", "代办人员"),
    "联系人": ("联系人", "单位联系人", "企业联系人"),
    "紧急联系人": ("紧急联系人",),
    "监护人": ("监护人", "法定监护人", "家长", "学生家长"),
    "被监护人": ("被监护人",),
    "家属": ("家属", "患者家属", "亲属"),
    "户主": ("户主",),
    "配偶": ("配偶", "妻子", "丈夫"),
    "父亲": ("父亲", "父"),
    "母亲": ("母亲", "母"),
    "子女": ("子女",),
    "男方": ("男方",),
    "女方": ("女方",),
    "申请人": ("申请人", "申报人", "申请者", "申请单位"),
    "被申请人": ("被申请人",),
    "代理人": ("代理人", "委托代理人", "受托人", "代理机构", "代领人", "领取人"),
    "收养人": ("收养人",),
    "被收养人": ("被收养人",),
    "见证人": ("见证人", "证明人", "介绍人", "推荐人", "担保推荐人"),
    "委托人": ("委托人",),
    "权利人": ("权利人", "产权人", "所有权人", "房屋所有权人", "不动产权利人", "房屋所有人"),
    "义务人": ("义务人",),
    "抵押人": ("抵押人",),
    "抵押权人": ("抵押权人",),
    "买受人": ("买受人", "买方", "购房人", "受让人", "承受人", "受让方", "购买方", "购方", "购买单位", "购货单位", "购买方单位"),
    "出卖人": ("出卖人", "卖方", "转让人", "出让人", "转让方", "销售方", "销方", "销售企业", "销售单位", "销货单位", "销售方单位"),
    "出租人": ("出租人", "出租方"),
    "承租人": ("承租人", "承租方"),
    "投保人": ("投保人",),
    "受益人": ("受益人",),
    "担保人": ("担保人", "保证人"),
    "经营者": ("经营者", "个体经营者"),
    "车主": ("车主", "机动车所有人", "车辆所有人"),
    "承包方": ("承包方代表", "承包户主"),
    "扣缴义务人": ("扣缴义务人",),
    "举报人": ("举报人", "投诉人", "投诉举报人"),
    "被投诉人": ("被投诉人", "被举报人"),
    "医生": ("医生", "医师", "主治医生", "主治医师", "接诊医生", "经治医师", "责任医生", "签约医生", "报告医生",
           "首诊医生", "主管医生"),
    "教师": ("教师", "班主任", "任课教师"),
    "受理人": ("受理人", "受理人员", "接件人"),
    "审核人": ("审核人", "审核人员", "复核人", "审核员", "审查人", "初审人"),
    "审批人": ("审批人", "批准人", "签发人", "发证人", "审定人"),
    "填报人": ("填报人", "填表人", "录入人", "录入员", "创建人", "操作员", "操作人", "登记人", "记录人",
            "采集人", "上报人", "报告人"),
    "执法人员": ("执法人员", "执法人", "承办人", "检查人", "检查人员", "调查人", "办案人员", "办案人"),
    "管理员": ("管理员", "安全管理员", "专管员", "网格员", "管理人员", "调解员", "协管员"),
    "股东": ("股东", "出资人", "投资人"),
}

# Subject designators: the record's own subject, not a second party.
PERSON_DESIGNATORS = (
    "本人", "个人", "人员", "居民", "公民", "群众", "自然人", "对象", "服务对象", "救助对象", "保障对象",
    "帮扶对象", "患者", "病人", "就诊人", "就诊者", "病患", "学生", "幼儿", "儿童", "参保人", "参保人员",
    "被保险人", "职工", "员工", "从业人员", "持证人", "当事人", "老人", "老年人", "残疾人", "死者", "逝者",
    "亡者", "死亡人员", "新生儿", "婴儿", "孕妇", "孕产妇", "产妇", "受种者", "接种者", "军人", "退役军人",
    "优抚对象", "户籍人口", "流动人口", "农户", "脱贫户", "考生", "劳动者", "失业人员", "就业人员",
    "贫困户", "低保户", "特困人员", "被救助人", "受助人", "职工本人", "参保职工", "纳税人", "缴费人",
    "旅客", "住客", "乘客", "游客", "访客", "驾驶人", "驾驶员", "购机者", "购机人", "补贴对象", "享受对象",
    "发放对象", "受助对象", "监测对象", "学员", "务工人员", "从业者", "导游", "律师", "会计师", "护士",
)
ORG_DESIGNATORS = (
    "企业", "单位", "机构", "公司", "法人单位", "市场主体", "主体", "用人单位", "参保单位", "缴费单位",
    "用工单位", "组织", "社会组织", "经营主体", "生产经营单位", "个体工商户", "个体户", "合作社", "商户",
    "医疗机构", "学校", "医院", "养老机构", "事业单位", "纳税单位", "业户", "经营业户", "运输业户",
)

# Names that do not say which data item they are; they never make a duplicate on their own.
GENERIC_NAMES = frozenset((
    "备注", "说明", "描述", "内容", "序号", "编号", "号", "代码", "名称", "类型", "类别", "状态", "日期",
    "时间", "金额", "数量", "标识", "标志", "id", "主键", "其他", "附件", "等级", "级别", "结果", "意见",
    "原因", "依据", "单位", "部门", "备用字段", "备用", "情况", "详情", "数值", "值", "标记", "简介",
    "摘要", "来源", "分类", "种类", "性质", "用途", "面积", "地点", "位置", "范围", "方式", "期限",
))

# Housekeeping columns of a database or a data warehouse (row ids, deletion flags, sync stamps,
# versions): every table has them and they hold no data about anyone, so they duplicate nothing.
SYSTEM_FIELDS = frozenset((
    "记录id", "记录编号", "记录号", "唯一标识", "唯一标识码", "唯一编码", "uuid", "guid", "rowid", "rid", "pkid",
    "删除标志", "删除标识", "删除状态", "是否删除", "逻辑删除", "作废标志", "是否作废", "数据状态", "有效标志",
    "有效标识", "是否有效", "有效状态", "版本号", "数据版本", "版本", "批次号", "批次", "入库批次", "数据批次",
    "同步时间", "同步日期", "同步状态", "同步标志", "同步标识", "操作时间", "操作日期", "操作类型", "操作标识",
    "操作标志", "更新人", "修改人", "更新者", "时间戳", "处理标识", "处理标志", "数据标识", "入库标识", "增量标识",
    "变更标识", "抽取时间", "抽取日期", "采集时间", "推送时间", "推送状态", "推送标志", "交换时间", "交换状态",
    "来源系统", "数据来源系统", "源系统", "系统编号", "系统标识", "更新标志", "更新标识", "数据更新标志",
))

_ROLE_OF: dict[str, str] = {v: cls for cls, variants in ROLE_CLASSES.items() for v in variants}
_DESIGNATOR_OF: dict[str, str] = {**{d: "自然人" for d in PERSON_DESIGNATORS},
                                  **{d: "法人" for d in ORG_DESIGNATORS}}
_PREFIXES = frozenset(_ROLE_OF) | frozenset(_DESIGNATOR_OF)
_MAX_PREFIX = max(map(len, _PREFIXES))

_OPEN, _CLOSE = "([【〔<《{「", ")]】〕>》}」"
_BRACKET = re.compile(rf"[{re.escape(_OPEN)}]([^{re.escape(_OPEN + _CLOSE)}]*)(?:[{re.escape(_CLOSE)}]|$)")
_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_VARIANTS = (
    (re.compile(r"^\d+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\d+$"), ""),  # 1.姓名, 联系电话2
    (re.compile(r"(?<=..)信息$"), ""),
    (re.compile(r"(?<=.)的(?=.)"), ""),
    (re.compile("帐"), "账"),
    (re.compile("身份证件"), "身份证"),
    (re.compile("号码"), "号"),
    (re.compile(r"(?<=.)编号"), "号"),
    (re.compile(r"(?<=.)编码"), "代码"),
    (re.compile("联系方式"), "联系电话"),
    (re.compile("电话号"), "电话"),
    (re.compile(r"(?<=..)(?:住址|所在地址|所在地)$"), "地址"),
    (re.compile(r"(?<=.)(?:日期时间|时间)$"), "日期"),
    (re.compile(r"(?<=[额金资本价费款入税积量重数高长])"
                r"(?:万元|元|平方米|平方公里|㎡|亩|公顷|公里|千米|吨|公斤|千克|kg|km|cm|厘米)$"), ""),
)
_NOISE_EVIDENCE = frozenset(("必填", "选填", "可选", "非必填", "必录", "可空", "非空"))


@dataclass(frozen=True)
class Prefix:
    text: str
    role: str | None        # qualifier class when the prefix is a role
    designates: str | None  # 自然人 / 法人 when the prefix is a subject designator


@dataclass(frozen=True)
class Normalized:
    """One item name, cleaned. `text` is the canonical full name; `prefixes` + `core` its split."""
    raw: str
    text: str
    evidence: tuple[str, ...]
    prefixes: tuple[Prefix, ...]
    core: str
    evidence_role: str | None


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: loading its dictionaries costs time, most names are simplified

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → simplified Chinese; ASCII-only text is returned as is."""
    return text if text.isascii() else _t2s().convert(text)


def clean(name: str) -> tuple[str, tuple[str, ...]]:
    """NFKC (full → half width), simplified, lower case; bracket contents split off as evidence."""
    text = simplify(nfkc_clean(str(name))).lower()
    evidence = tuple(e for e in (_NON_WORD.sub("", m) for m in _BRACKET.findall(text)) if e)
    text = _NON_WORD.sub("", _BRACKET.sub("", text))
    return text, tuple(e for e in evidence if e not in _NOISE_EVIDENCE)


def canonical(text: str) -> str:
    """Unify safe term variants of an already cleaned name (号码→号, X所在地→X地址 …)."""
    for pattern, replacement in _VARIANTS:
        text = pattern.sub(replacement, text)
    return text


def index_key(name: str) -> str:
    """The canonical spelling of a raw name: what the synonym index is keyed by."""
    return canonical(clean(name)[0])


@lru_cache(maxsize=100_000)
def split_prefixes(text: str, limit: int = 3) -> tuple[tuple[Prefix, ...], str]:
    """Peel role qualifiers and subject designators off the front, longest first.

    A role may leave an empty core (法定代表人 alone means the representative's name); a
    designator may not (企业 alone is not an item).
    """
    prefixes: list[Prefix] = []
    while text and len(prefixes) < limit:
        for size in range(min(_MAX_PREFIX, len(text)), 0, -1):
            word = text[:size]
            if word in _PREFIXES and (len(text) > size or word in _ROLE_OF):
                prefixes.append(Prefix(word, _ROLE_OF.get(word), _DESIGNATOR_OF.get(word)))
                text = text[size:]
                break
        else:
            break
    return tuple(prefixes), text


@lru_cache(maxsize=200_000)
def normalize(name: str) -> Normalized:
    text, evidence = clean(name)
    text = canonical(text)
    prefixes, core = split_prefixes(text)
    evidence_role = next((_ROLE_OF[e] for e in evidence if e in _ROLE_OF), None)
    return Normalized(str(name), text, tuple(canonical(e) for e in evidence), prefixes, core,
                      evidence_role)


def is_generic(text: str) -> bool:
    """True for a canonical name that alone does not identify a data item (备注, 名称, 状态 …)."""
    return text in _GENERIC_CANONICAL


_GENERIC_CANONICAL = frozenset(canonical(n) for n in GENERIC_NAMES | SYSTEM_FIELDS)
