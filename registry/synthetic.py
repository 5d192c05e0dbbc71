"""Streaming synthetic catalogs at county and province scale, for benchmarks.

`synthetic_county(units, systems_per_unit, resources_per_system, items_per_resource, seed)`
yields one unit dict at a time, in the shape of `registry.demo_data.demo_county()`, so two
million items never sit in memory together. Item names are drawn from a vocabulary of a few
hundred concepts (`synthetic_vocab.txt`), each with synonyms, plus the variation real forms show: qualifiers
(申请人姓名, 法定代表人身份证号), bracket notes (联系电话（手机）), full-width characters,
spaced-out short names (姓　名), required-field markers. So a duplicate detector has real work:
the same concept appears under many spellings across units, and look-alikes (出生日期 vs
死亡日期, 企业名称 vs 企业类型, 有效期自 vs 有效期至) are different concepts.

`concept_of(name)` gives the concept key of any generated name (ground truth for recall and
precision measurements); qualified names have keys like "申请人:姓名".

Deterministic: the same arguments give the same output; unit i depends only on (seed, i).
"""
from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

VOCAB_FILE = Path(__file__).with_name("synthetic_vocab.txt")

_QUALIFIERS = {
    "person": ("申请人", "法定代表人", "户主", "联系人", "经办人", "监护人", "配偶", "当事人",
               "被申请人", "负责人", "受益人", "代理人"),
    "organisation": ("用人单位", "建设单位", "施工单位", "申请单位", "受让人", "供应商",
                     "使用单位", "被处罚单位", "委托单位"),
}

_DOMAIN_TOPICS = {
    "person": "户籍人口 流动人口 低保对象 特困人员 残疾人 退役军人 高龄老人 独生子女家庭 出生人口 死亡人口 "
              "参保人员 失业人员 就业人员 婚姻登记 计生家庭 留守儿童 困境儿童 志愿者 网格员 公租房申请",
    "organisation": "市场主体登记 企业变更登记 个体工商户 社会组织 纳税人登记 建筑业企业资质 物业企业 "
                    "农民专业合作社 家庭农场 医药机构 培训机构 检验检测机构 供应商 参保单位",
    "administration": "行政处罚 行政许可 行政检查 行政强制 信访件 投诉举报 政务服务办件 证照 执法案件 "
                      "审批事项 行政确认 行政奖励",
    "location": "地名 行政区划 网格划分 地质灾害隐患点 视频监控点位 应急避难场所 公共厕所 充电桩 门牌地址",
    "property": "不动产登记 房屋网签 国有土地出让 土地利用现状 征地拆迁 房屋安全鉴定 城镇房屋调查",
    "health": "电子健康档案 门诊就诊 住院病案 预防接种 慢病随访 孕产妇保健 家庭医生签约 检验报告 药品库存",
    "education": "学生学籍 教职工 学校基本 学生资助 教师资格 幼儿入园 学生成绩 学生体质健康",
    "vehicle": "机动车登记 驾驶人 交通违法 营运车辆 道路运输从业人员 校车 渣土车",
    "money": "补贴发放 国库支付 非税收入 政府采购 部门预算 社保费征收 个税缴纳 水费缴纳",
    "social": "医疗救助 临时救助 养老保险待遇 工伤认定 医保结算 低收入家庭认定",
    "agriculture": "承包农户 承包地块 农业机械 畜禽养殖 种植结构 农产品追溯 防返贫监测",
}
_RESOURCE_SUFFIXES = ("信息", "信息", "信息", "登记信息", "台账", "名录", "数据", "基础信息")
_SYSTEM_SUFFIXES = ("管理信息系统", "综合管理平台", "业务办理系统", "服务平台", "监管系统", "数据库",
                    "信息平台", "综合应用系统")

# (department name, kind, parent department name or None); parents come before children.
_DEPARTMENTS = tuple(tuple(None if f == "-" else f for f in line.split()) for line in """
公安局 department - | 民政局 department - | 人力资源和社会保障局 department - | 卫生健康委员会 department -
教育委员会 department - | 市场监督管理局 department - | 税务局 department - | 住房和城乡建设委员会 department -
规划和自然资源局 department - | 交通运输委员会 department - | 农业农村委员会 department - | 医疗保障局 department -
大数据发展局 department - | 财政局 department - | 发展和改革委员会 department - | 退役军人事务局 department -
应急管理局 department - | 生态环境局 department - | 水利局 department - | 林业局 department -
商务委员会 department - | 文化和旅游发展委员会 department - | 司法局 department - | 统计局 department -
城市管理局 department - | 审计局 department - | 残疾人联合会 department - | 经济和信息化委员会 department -
人民医院 hospital 卫生健康委员会 | 中医院 hospital 卫生健康委员会 | 妇幼保健院 hospital 卫生健康委员会
第一中学 school 教育委员会 | 实验小学 school 教育委员会 | 职业教育中心 school 教育委员会
不动产登记中心 institution 规划和自然资源局 | 社会保险事务中心 institution 人力资源和社会保障局
公共资源交易中心 institution 发展和改革委员会 | 疾病预防控制中心 institution 卫生健康委员会
城市发展投资集团有限公司 soe - | 水务集团有限公司 soe - | 交通旅游建设投资集团有限公司 soe -
""".replace("\n", " | ").split("|") if line.strip())
_COUNTIES = ("云阳县 万州区 开州区 奉节县 巫山县 巫溪县 城口县 忠县 梁平区 垫江县 丰都县 石柱县 涪陵区 长寿区 "
             "武隆区 彭水县 黔江区 酉阳县 秀山县 南川区 綦江区 江津区 永川区 合川区 潼南区 铜梁区 大足区 荣昌区 "
             "璧山区 北碚区 渝北区 巴南区 万盛经开区 两江新区 渝中区 江北区 南岸区 沙坪坝区 九龙坡区 大渡口区").split()

_FORMATS = (("database", "oracle"),) * 4 + (("database", "dm"), ("database", "kingbasees"),
            ("database", "sqlserver"), ("database", "mysql"), ("spreadsheet", "xlsx"), ("spreadsheet", "xls"),
            ("spreadsheet", "et"), ("electronic_file", "pdf"), ("electronic_file", "ofd"),
            ("self_describing", "xml"), ("self_describing", "json"), ("image", "jpg"), ("streaming", "mpg"))
_SHARING = ("conditional",) * 11 + ("unconditional",) * 6 + ("none",) * 3
_METHODS = ("platform",) * 5 + ("api",) * 2 + ("database", "document")
_CYCLES = ("daily",) * 5 + ("realtime",) * 2 + ("weekly", "monthly", "monthly", "monthly", "quarterly", "yearly",
                                                  "yearly", "每半年", "按需", "每学期")
_STATUSES = ("running",) * 16 + ("building", "building", "stopped", "merged")
_NETWORKS = ("egov",) * 14 + ("internet",) * 4 + ("isolated", "classified")

# The name concepts take a qualifier as "<qualifier><suffix>" or the bare qualifier.
_NAME_CONCEPTS = {"姓名": "姓名", "单位名称": "名称"}
# Qualified concepts that are plain concepts of the vocabulary under another spelling.
_SAME_AS = {"法定代表人:姓名": "法定代表人", "经办人:姓名": "承办人"}

_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
_TOKEN = re.compile(r"^(二进制|[A-Z])(\d*)(\*?)$")


class _Vocab:
    """Concepts expanded into weighted pools of (name, data_type, data_length, sharing_type)."""

    def __init__(self) -> None:
        rng = random.Random(7)
        self.concept_of: dict[str, str] = {}
        self.pools: list[tuple[tuple, ...]] = []
        self.keys: list[str] = []
        self.by_domain: dict[str, list[int]] = {}
        domain = ""
        qualified: list[tuple[str, str, str, int | None, list[str]]] = []
        for line in VOCAB_FILE.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                words = line[1:].split()
                if len(words) == 1:  # "# person": the domain of the lines below
                    domain = words[0]
                continue
            if not line.strip():
                continue
            head, *names = line.split()
            m = _TOKEN.match(head)
            if not m:
                raise ValueError(f"bad concept line {line!r}")
            dtype, length = m.group(1), int(m.group(2)) if m.group(2) else None
            self._add(domain, names[0], names, dtype, length, rng)
            if m.group(3):
                qualified.append((domain, names[0], dtype, length, names))
        for domain, key, dtype, length, names in qualified:
            for qualifier in _QUALIFIERS["organisation" if domain == "organisation" else "person"]:
                if key in _NAME_CONCEPTS:  # 申请人 / 申请人姓名, 建设单位 / 建设单位名称
                    q_names = [qualifier + _NAME_CONCEPTS[key], qualifier]
                else:
                    q_names = [qualifier + n for n in names[:4] if "(" not in n and "（" not in n]
                q_key = f"{qualifier}:{key}"
                self._add(domain, _SAME_AS.get(q_key, q_key), q_names, dtype, length, rng)

    def _add(self, domain: str, key: str, names: list[str], dtype: str, length: int | None,
             rng: random.Random) -> None:
        spellings: list[str] = []
        for i, name in enumerate(names):
            spellings += [name] * (6 if i == 0 else 3)
            if "(" in name:
                spellings.append(name.replace("(", "（").replace(")", "）"))
            elif "（" in name:
                spellings.append(name.replace("（", "(").replace("）", ")"))
            if re.search(r"[A-Za-z0-9]", name):
                spellings.append(name.translate(_FULL_WIDTH))
            if len(name) == 2:
                spellings += [name[0] + " " + name[1], name[0] + "\u3000" + name[1]]
            spellings.append(rng.choice(("*" + name, name + "（必填）", name + "(选填)", name + "：")))
        pool = []
        for spelling in spellings:
            known = self.concept_of.setdefault(spelling, key)
            if known != key:
                continue  # a spelling belongs to one concept only
            pool.append(self._typed(spelling, dtype, length, rng))
        if not pool:
            return
        self.keys.append(key)
        self.pools.append(tuple(pool))
        self.by_domain.setdefault(domain, []).append(len(self.pools) - 1)

    @staticmethod
    def _typed(name: str, dtype: str, length: int | None, rng: random.Random) -> tuple:
        roll = rng.random()
        sharing = "none" if roll < 0.03 else None
        if dtype == "G":
            return (name, "二进制", None, sharing) if roll < 0.5 else (name, "G", None, sharing)
        if roll > 0.9:  # the same concept declared differently by another unit
            if dtype == "D":
                return (name, *rng.choice((("C", 10), ("T", 14), ("C", 8))), sharing)
            if dtype == "C" and length:
                return (name, "C", rng.choice((length * 2, max(1, length // 2), length + 2)), sharing)
            if dtype in ("Y", "N"):
                return (name, rng.choice(("N", "B", "F")), length, sharing)
        return (name, dtype, length, sharing)


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    return _Vocab()


def concept_of(name: str) -> str | None:
    """The concept key of a generated item name (None for overflow names such as 预留字段7)."""
    found = _vocab().concept_of.get(name)
    if found is None:
        stripped = name.rstrip("0123456789")
        if stripped != name:
            found = _vocab().concept_of.get(stripped)
    return found


def concept_count() -> int:
    return len(_vocab().pools)


def _unit_identity(i: int) -> tuple[str, str, str | None]:
    """(name, kind, parent_code) of unit i: departments rotate within a county, counties rotate."""
    n = len(_DEPARTMENTS)
    dept, kind, parent = _DEPARTMENTS[i % n]
    rounds, county_index = divmod(i // n, len(_COUNTIES))
    county = _COUNTIES[county_index]
    name = f"{county}{dept}" + (f"（{rounds + 1}）" if rounds else "")
    parent_code = None
    if parent is not None:
        parent_index = next(j for j, d in enumerate(_DEPARTMENTS) if d[0] == parent)
        parent_code = f"u{i - (i % n) + parent_index:04d}"
    return name, kind, parent_code


def _items(rng: random.Random, voc: _Vocab, domain: str, count: int) -> list[dict]:
    """`count` items: about 60 % from the resource's domain, the rest from anywhere."""
    rand = rng.random
    domain_ids = voc.by_domain[domain]
    total = len(voc.pools)
    if count >= total * 0.7:  # nearly every concept: shuffle instead of collecting coupons
        chosen = list(domain_ids)
        rng.shuffle(chosen)
        in_domain = set(domain_ids)
        rest = [c for c in range(total) if c not in in_domain]
        rng.shuffle(rest)
        chosen += rest
    else:
        chosen, seen = [], set()
        n_dom = len(domain_ids)
        want = min(n_dom, max(1, count * 6 // 10))
        while len(chosen) < want:
            c = domain_ids[int(rand() * n_dom)]
            if c not in seen:
                seen.add(c)
                chosen.append(c)
        while len(chosen) < count:
            c = int(rand() * total)
            if c not in seen:
                seen.add(c)
                chosen.append(c)
    pools = voc.pools
    items: list[dict] = []
    names: set[str] = set()
    round_no = 0
    while len(items) < count:
        for c in chosen[: count - len(items)]:
            pool = pools[c]
            name, dtype, length, sharing = pool[int(rand() * len(pool))]
            if round_no:
                name = f"{name}{round_no + 1}"
            if name in names:
                name = f"预留字段{len(items) + 1}"
            names.add(name)
            items.append({"name": name, "data_type": dtype, "data_length": length, "sharing_type": sharing})
        round_no += 1
    return items


def _unique(name: str, used: set[str]) -> str:
    """Names are unique within their parent (the registry's constraint): 渣土车名录（2）."""
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}（{n}）"
    used.add(candidate)
    return candidate


def synthetic_county(units: int, systems_per_unit: int, resources_per_system: int,
                     items_per_resource: int, seed: int = 0) -> Iterator[dict]:
    """Yield `units` unit dicts, each with systems → resources → items of the requested sizes."""
    voc = _vocab()
    domains = list(_DOMAIN_TOPICS)
    topics = {d: t.split() for d, t in _DOMAIN_TOPICS.items()}
    for i in range(units):
        rng = random.Random(f"{seed}/{i}")
        code = f"u{i:04d}"
        name, kind, parent_code = _unit_identity(i)
        short = name
        home = rng.sample(domains, 3)  # a unit works mostly in a few domains
        systems, system_names = [], set()
        for j in range(1, systems_per_unit + 1):
            s_code = f"{code}-s{j:02d}"
            s_domain = rng.choice(home)
            s_topic = rng.choice(topics[s_domain])
            resources, resource_names = [], set()
            for k in range(1, resources_per_system + 1):
                r_domain = s_domain if rng.random() < 0.7 else rng.choice(domains)
                fmt_class, fmt_type = rng.choice(_FORMATS)
                open_yes = rng.random() < 0.2
                r_name = _unique(rng.choice(topics[r_domain]) + rng.choice(_RESOURCE_SUFFIXES), resource_names)
                resources.append({
                    "code": f"{s_code}-r{k:02d}", "name": r_name,
                    "format_class": fmt_class, "format_type": fmt_type,
                    "sharing_type": rng.choice(_SHARING), "sharing_method": rng.choice(_METHODS),
                    "open_to_public": "yes" if open_yes else "no",
                    "open_conditions": "依法向社会公开。" if open_yes else "",
                    "update_cycle": rng.choice(_CYCLES),
                    "description": f"{short}采集的{r_name}。",
                    "items": _items(rng, voc, r_domain, items_per_resource),
                })
            s_name = _unique(f"{s_topic}{rng.choice(_SYSTEM_SUFFIXES)}", system_names)
            systems.append({
                "code": s_code, "name": s_name, "aliases": [f"{s_topic}系统"],
                "description": f"{short}的{s_name}。",
                "status": rng.choice(_STATUSES), "network": rng.choice(_NETWORKS),
                "in_directory": rng.random() < 0.9, "resources": resources,
            })
        yield {"code": code, "name": name, "kind": kind, "parent_code": parent_code, "systems": systems}
