"""Matching a system name as a budget requester wrote it to a registered system, with reasons.

Finance writes 云阳县公安局户政管理系统（二期）运维费, 自然资源GIS维保, 智慧食安平台等保测评,
2027年燃汽安全监管平台 … . `parse` takes the written name apart and records every step:
the county and the unit's own name (full or short: 人社局), years, service words (运维, 维保,
等保测评, 内容保障服务, 终端维护 …), bracketed remarks, the generic tail (信息/管理/服务 + 系统/平台);
the phase (一期/二期/第三期, （2.0）) and a version (V2.0) are kept apart as evidence, not
dropped; abbreviations (GIS, LIS, HIS, 食安, 社保, 公卫 …) are written one way on both sides.
What is left is the name's core.

`compare` aligns two cores character by character and says what differs: the same core;
homophone typos (燃汽/燃气, pinyin); generic words only one side has (管理, 信息, 智慧 …);
subject words only one side has; subject words that disagree (声环境 vs 水环境: a conflict,
never a match); a phase the other side lacks or names differently (a conflict). The score is a
weighted similarity (generic words weigh little) with every step listed.

`decide` ranks the candidates and auto-matches only when it can say why no other directory
system fits: the winner has no conflict and no subject word the line lacks, belongs to the line's
unit, scores at least AUTO, and every other candidate is either excluded by a conflict or at
least MARGIN points lower. Otherwise it suggests (at least SUGGEST, a person confirms) or
flags the line as not in the directory, with the candidates and why each was refused.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from search.duplicates.normalize import simplify

AUTO = 90      # at or above (and no conflict, own unit, clear margin): matched without confirmation
SUGGEST = 60   # at or above: suggested for a person to confirm; below: not in the directory
MARGIN = 8     # an auto match beats every other fitting candidate by at least this many points
OTHER_UNIT_PENALTY = 15.0  # a system of another unit than the line's

_COUNTY = re.compile(r"^(?:重庆市)?(?:云阳县|云阳)县?")
_YEAR = re.compile(r"(?:19|20)\d{2}(?:年度|年)?")
_PHASE = re.compile(r"第?([0-9一二三四五六七八九十]+)期(?:工程|项目)?")
_PHASE_NUMBER = re.compile(r"(?<![v\d.])(\d+)\.0版?")            # （2.0）, 2.0版: a phase held as its own system
_VERSION = re.compile(r"(?:v|版本)(\d+)(?:\.\d+)*")   # V2.0, v3.1: a version, a phase only if the directory says so
# service words: what the money buys for the system, not the system's name (longest first)
SERVICE_WORDS = tuple(sorted((
    "运行维护", "运维", "维护", "维保", "维保服务", "运维服务", "等级保护测评", "等保测评", "等保", "安全等级保护",
    "密码测评", "密码应用安全性评估", "密评", "安全测评", "安全服务", "安全防护", "内容保障服务", "内容保障",
    "保障服务", "技术支持", "技术服务", "服务费", "终端维护", "设备维护", "硬件维护", "软件维护", "系统维护",
    "升级改造", "升级", "改造", "扩容", "租赁", "云资源", "云服务", "托管", "驻场", "网络安全", "购买服务",
    "经费", "费用", "费", "项目", "采购", "建设", "技术",
), key=len, reverse=True))
_SERVICE_TAIL = re.compile("(?:" + "|".join(SERVICE_WORDS) + ")+$")
_SERVICE_HEAD = re.compile("^(?:" + "|".join(w for w in SERVICE_WORDS if len(w) >= 2) + ")")
_TAIL = re.compile(r"(?:综合)?(?:信息化|信息|数据)?(?:管理|服务|应用|业务|监管|办公)?(?:信息)?"
                   r"(?:系统|平台|软件|子系统)$")
TAIL_WORDS = ("数据", "监管", "服务", "应用", "业务", "办公")
_UNIT_TAIL = re.compile(r"(?:人民政府|街道办事处|办事处|委员会|委|局|中心|办公室|办|院|所|站|队|馆|联合会|总工会|"
                        r"大队|集团有限公司|有限公司|公司)$")
_REMARK = re.compile(r"^(?:旧版|新版|云阳|云阳县|试运行|在用|暂定|含.*)$")

# abbreviations written one way on both sides (the short form finance and units use)
ABBREVIATIONS = tuple(sorted((
    ("地理信息系统", "gis"), ("地理信息平台", "gis"), ("实验室信息管理系统", "lis"), ("实验室信息系统", "lis"),
    ("检验信息系统", "lis"), ("医院信息管理系统", "his"), ("医院信息系统", "his"),
    ("医学影像归档和通信系统", "pacs"), ("影像归档和通信系统", "pacs"), ("医学影像信息系统", "pacs"),
    ("放射信息系统", "ris"), ("电子病历系统", "emr"), ("办公自动化系统", "oa"), ("协同办公系统", "oa"),
    ("协同办公平台", "oa"), ("办公自动化", "oa"), ("食品安全", "食安"), ("食品药品", "食药"),
    ("社会保险", "社保"), ("社会保障", "社保"), ("医疗保障", "医保"), ("医疗保险", "医保"), ("公共卫生", "公卫"),
    ("卫生健康", "卫健"), ("住房公积金", "公积金"), ("最低生活保障", "低保"), ("安全生产", "安监"),
    ("城市管理", "城管"), ("市场监督管理", "市场监管"), ("人力资源和社会保障", "人社"), ("人力资源社会保障", "人社"),
    ("政府门户网站", "门户网站"), ("视频监控", "视频监控"), ("一网通办政务服务平台", "一网通办"),
    ("全球定位系统", "gps"), ("北斗定位", "北斗"),
), key=lambda p: -len(p[0])))

# generic words: present or absent on one side, they say little about which system is meant
GENERIC = tuple(sorted(("管理", "信息", "综合", "服务", "系统", "平台", "智慧", "数字", "智能", "网上", "应用", "数据",
                        "中心", "业务", "监管", "一体化", "统一", "在线", "工作", "集成", "共享", "软件", "信息化",
                        "电子", "网络", "云", "网", "县", "全县", "移动", "查询", "办理", "子系统", "专网"),
                       key=len, reverse=True))

_OPEN, _CLOSE = "([【〔<《{「", ")]】〕>》}」"
_BRACKET = re.compile(rf"[{re.escape(_OPEN)}]([^{re.escape(_OPEN + _CLOSE)}]*)(?:[{re.escape(_CLOSE)}]|$)")
_NON_WORD = re.compile(r"[^0-9a-z.\u3400-\u9fff]+")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}

STEP_LABELS = {"county": "县名", "unit": "单位名称", "year": "年度", "service": "经费/服务用语", "tail": "通用尾词",
               "remark": "括号备注", "phase": "期次", "version": "版本号", "abbreviation": "简称",
               "typo": "同音错别字"}


@lru_cache(maxsize=None)
def _traditional(char: str) -> bool:
    return simplify(char) != char


def clean(name: str) -> tuple[str, tuple[str, ...]]:
    """NFKC, simplified, lower case; bracket contents apart (search.duplicates.normalize's cleaning,
    converting traditional characters only when the name has one)."""
    text = unicodedata.normalize("NFKC", str(name))
    if any(ord(c) > 0x2E7F and _traditional(c) for c in text):
        text = simplify(text)
    text = text.lower()
    evidence = tuple(e for e in (_NON_WORD.sub("", m) for m in _BRACKET.findall(text)) if e)
    return _strip_dots(_NON_WORD.sub("", _BRACKET.sub("", text))), evidence


def _strip_dots(text: str) -> str:
    """Dots only inside numbers (2.0, v3.1)."""
    return re.sub(r"(?<!\d)\.|\.(?!\d)", "", text)


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_DIGITS.get(text[1], 0)
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


@lru_cache(maxsize=20_000)
def unit_core(name: str) -> str:
    """云阳县公安局 → 公安局 (for prefixes and unit matching)."""
    text = _COUNTY.sub("", clean(name)[0])
    return re.sub(r"^(?:国家税务总局|县)", "", text)


def unit_prefixes(unit_name: str) -> tuple[str, ...]:
    full = clean(unit_name)[0]
    core = unit_core(unit_name)
    bare = _UNIT_TAIL.sub("", core)
    town = re.sub(r"(?:人民政府|办事处)$", "", core)
    found = [full, "县" + core, core, town, "县" + town, bare]
    if town.endswith(("镇", "乡", "街道")):
        found.append(re.sub(r"(?:镇|乡|街道)$", "", town))
    return tuple(p for p in dict.fromkeys(sorted(found, key=len, reverse=True)) if len(p) >= 2)


_UNIT_END = re.compile(r"^.{1,6}?(?:局|委|中心|办|院|所|馆|联|会|队)")


def _short_unit_prefix(text: str, unit_name: str) -> tuple[str, ...]:
    """人社局 for 人力资源和社会保障局: a leading unit abbreviation (its characters in order)."""
    found = _UNIT_END.match(text)
    if not found:
        return ()
    prefix = found.group(0)
    full = unit_core(unit_name)
    tail = _UNIT_TAIL.search(full)
    if prefix == full or not tail or prefix[-1] not in tail.group(0):   # 社会 is not 人社局
        return ()
    return (prefix,) if in_order(prefix.removeprefix("县"), full) else ()


def in_order(short: str, long: str) -> bool:
    """Every character of `short` (two or more) inside `long`, in order (政府办 in 人民政府办公室)."""
    if len(short) < 2 or len(short) >= len(long):
        return False
    position = 0
    for char in short:
        position = long.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def abbreviation_score(short: str, long: str) -> float:
    """70–90 when every character of `short` appears in `long` in order and the first ones agree."""
    if len(short) < 2 or len(short) >= len(long) or short[0] != long[0]:
        return 0.0
    position = 0
    for char in short:
        position = long.find(char, position)
        if position < 0:
            return 0.0
        position += 1
    return 70.0 + 20.0 * len(short) / len(long)


@dataclass(frozen=True)
class Parsed:
    written: str
    core: str
    phase: int | None                 # 二期 → 2, （2.0） → 2; None: not named
    phase_kind: str | None            # "期" (二期) or "版" (（2.0）): how the phase was written
    version: int | None               # V2.0 → 2 (a phase only where the directory holds phases)
    steps: tuple[tuple[str, str], ...]  # (kind, text) taken off, in order
    tail_words: frozenset = frozenset()  # 数据, 监管, 服务 … of the tail taken off (统计监管系统 ≠ 统计数据系统)

    def as_dict(self) -> dict:
        return {"written": self.written, "core": self.core, "phase": self.phase, "phase_kind": self.phase_kind,
                "version": self.version,
                "removed": [{"kind": k, "label": STEP_LABELS[k], "text": t} for k, t in self.steps]}


def _variants(pairs) -> tuple[tuple[str, str], ...]:
    """Each long form also with 系统/平台 swapped (医院信息平台 is written for 医院信息系统)."""
    out = []
    for long, short in pairs:
        out.append((long, short))
        for a, b in (("系统", "平台"), ("平台", "系统")):
            if long.endswith(a):
                out.append((long[: -len(a)] + b, short))
    return tuple(sorted(dict.fromkeys(out), key=lambda p: -len(p[0])))


_ABBREVIATIONS = _variants(ABBREVIATIONS)


def _abbreviate(text: str, steps: list) -> str:
    for long, short in _ABBREVIATIONS:
        if long in text and long != short:
            text = text.replace(long, short)
            steps.append(("abbreviation", f"{long}→{short.upper() if short.isascii() else short}"))
    return text


@lru_cache(maxsize=50_000)
def parse(name: str, unit_name: str = "") -> Parsed:
    text, brackets = clean(name)
    steps: list[tuple[str, str]] = []
    for remark in brackets:
        remark = _strip_dots(remark)
        inner = remark
        for _ in range(4):
            before = inner
            if (m := _PHASE.fullmatch(inner) or _PHASE_NUMBER.fullmatch(inner)) and _number(m.group(1)):
                steps.append(("phase", remark))
                inner = ""
            elif _VERSION.fullmatch(inner):
                steps.append(("version", remark))
                inner = ""
            elif _YEAR.fullmatch(inner):
                steps.append(("year", remark))
                inner = ""
            elif m := _SERVICE_TAIL.search(inner):
                inner = inner[:m.start()]
                if not inner:
                    steps.append(("service", remark))
            if inner == before or not inner:
                break
        if inner:
            if inner.isascii() and inner.isalpha():   # (HIS), (LIS): the system's identity
                text += inner
            else:
                steps.append(("remark", remark))
    if m := _COUNTY.match(text):
        if m.group(0):
            steps.append(("county", m.group(0)))
        text = text[m.end():]
    if m := _YEAR.match(text):
        steps.append(("year", m.group(0)))
        text = text[m.end():]
        if m := _COUNTY.match(text):
            if m.group(0):
                steps.append(("county", m.group(0)))
            text = text[m.end():]
    while (m := _SERVICE_HEAD.match(text)) and len(text) - m.end() >= 4:
        steps.append(("service", m.group(0)))
        text = text[m.end():]
    text = _strip_noise(text, steps)
    if unit_name:
        for prefix in (*unit_prefixes(unit_name), *_short_unit_prefix(text, unit_name)):
            rest = text[len(prefix):]
            if text.startswith(prefix) and len(rest) >= 2 and not all(_generic_mask(rest)):
                steps.append(("unit", prefix))
                text = text[len(prefix):]
                if m := _YEAR.match(text):
                    steps.append(("year", m.group(0)))
                    text = text[m.end():]
                text = _strip_noise(text, steps)
                break
    tail_words = frozenset(w for kind, t in steps if kind == "tail" for w in TAIL_WORDS if w in t)
    return Parsed(name, text, *_phase_of(steps), version_of(steps), tuple(steps), tail_words)


def _phase_of(steps) -> tuple[int | None, str | None]:
    for kind, text in steps:
        if kind == "phase":
            m = _PHASE.search(text) or re.search(r"(\d+)\.0", text)
            return _number(m.group(1)), "期" if "期" in text else "版"
    return None, None


def version_of(steps) -> int | None:
    for kind, text in steps:
        if kind == "version":
            return int(_VERSION.search(text).group(1))
    return None


def _strip_noise(text: str, steps: list) -> str:
    """Service words, years, phases, versions and the generic tail off the end; abbreviations."""
    text = _abbreviate(text, steps)
    # once the generic tail (系统/平台) is off, what is left is the name: no more service words
    named = any(kind == "tail" for kind, _ in steps)
    for _ in range(6):
        before = text
        if not named and (m := _SERVICE_TAIL.search(text)) and m.start() >= 2:
            steps.append(("service", m.group(0)))
            text = text[:m.start()]
        elif not named and (word := _service_typo(text)):
            steps.append(("service", f"{text[-len(word):]}（即“{word}”）"))
            text = text[:-len(word)]
        if (m := re.search(_YEAR.pattern + "$", text)) and m.start() >= 2:
            steps.append(("year", m.group(0)))
            text = text[:m.start()]
        if (m := re.search(_VERSION.pattern + "$", text)) and m.start() >= 2:
            steps.append(("version", m.group(0)))
            text = text[:m.start()]
        if (m := re.search(r"(?:" + _PHASE.pattern + r"|(?<![v\d.])(\d+)\.0版?)$", text)) and m.start() >= 2:
            if _number(m.group(1) or m.group(2)):
                steps.append(("phase", m.group(0)))
                text = text[:m.start()]
        if not _TAIL.search(text) and (word := _tail_typo(text)):
            steps.append(("typo", f"{text[-2:]}（即“{word}”）"))
            text = text[:-2] + word
        if (m := _TAIL.search(text)) and m.start() >= 2:
            steps.append(("tail", m.group(0)))
            text = text[:m.start()]
            named = True
        if text == before:
            break
    return text


def _tail_typo(text: str) -> str | None:
    """系统/平台 at the end written with a homophone (管理系通, 服务平抬)."""
    tail = text[-2:]
    for word in ("系统", "平台"):
        if len(text) >= 4 and sum(a != b for a, b in zip(tail, word)) == 1 and homophones(tail, word):
            return word
    return None


def _service_typo(text: str) -> str | None:
    """A service word at the end written with a homophone (运行维户, 等保侧评, 内容保障服物)."""
    for word in SERVICE_WORDS:
        if len(word) >= 2 and len(text) - len(word) >= 2:
            tail = text[-len(word):]
            if tail != word and homophones(tail, word) and sum(x != y for x, y in zip(tail, word)) == 1:
                return word
    return None


def core(name: str, unit_name: str = "") -> str:
    return parse(name, unit_name).core


@lru_cache(maxsize=None)
def _readings(char: str) -> frozenset[str]:
    try:
        from pypinyin import Style, pinyin
    except ImportError:  # pragma: no cover - declared dependency
        return frozenset()
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")[0]
                     if "\u3400" <= char <= "\u9fff" else ())


def homophones(a: str, b: str) -> bool:
    """Same length and each pair of characters shares a reading (燃汽/燃气, 监官/监管)."""
    return len(a) == len(b) and all(x == y or (_readings(x) & _readings(y)) for x, y in zip(a, b))


@lru_cache(maxsize=50_000)
def _generic_mask(text: str) -> tuple[bool, ...]:
    mask = [False] * len(text)
    for word in GENERIC:
        start = text.find(word)
        while start >= 0:
            for i in range(start, start + len(word)):
                mask[i] = True
            start = text.find(word, start + len(word))
    return tuple(mask)


def _weight(mask, i: int) -> float:
    return 0.3 if mask[i] else 1.0


@dataclass
class Comparison:
    score: float
    steps: list[dict] = field(default_factory=list)     # what matched and how (with points)
    conflicts: list[str] = field(default_factory=list)  # why this system cannot be the one
    extra_line: str = ""      # subject words in the line the system's name lacks
    extra_system: str = ""    # subject words in the system's name the line lacks

    def as_dict(self) -> dict:
        return {"score": round(self.score, 1), "steps": self.steps, "conflicts": self.conflicts,
                "extra_line": self.extra_line, "extra_system": self.extra_system}


def shown(text: str) -> str:
    """A core as shown to people: acronyms in capitals (gis → GIS), an acronym the parse wrote twice once
    (医院信息系统（HIS） reads "hishis" as its core)."""
    return re.sub(r"([a-z]+)\1", r"\1", text).upper() if text.isascii() else \
        re.sub(r"[a-z]+", lambda m: re.sub(r"^([a-z]+)\1$", r"\1", m.group(0)).upper(), text)


def _whole_words(text: str, i: int, j: int) -> str:
    """text[i:j] widened to whole Latin words: a difference of one letter inside HIS/LIS is shown as the
    acronyms, not as "H" and "L"."""
    def latin(k: int) -> bool:
        return 0 <= k < len(text) and text[k].isascii() and text[k].isalpha()
    if i < j and (latin(i) or latin(j - 1)):
        while latin(i - 1):
            i -= 1
        while latin(j):
            j += 1
    return text[i:j]


def compare(line: Parsed, other: Parsed) -> Comparison:
    """How far the system name `other` fits the line (see the module docstring)."""
    a, b = line.core, other.core
    result = Comparison(0.0)
    if not a or not b:
        return result
    if a == b:
        la, lb = line.tail_words, other.tail_words
        if la and lb and la != lb:
            result.score = 90.0 if not la & lb else 95.0
            result.steps.append({"rule": "same_core", "text": f"名称核心一致：“{shown(a)}”，但尾词不同（申报“{'、'.join(sorted(la))}”，"
                                 f"该系统“{'、'.join(sorted(lb))}”）", "points": result.score})
            result.extra_system = ""
        else:
            result.score = 100.0
            result.steps.append({"rule": "same_core", "text": f"名称核心一致：“{shown(a)}”", "points": 100.0})
    else:
        ma, mb = _generic_mask(a), _generic_mask(b)
        total = sum(_weight(ma, i) for i in range(len(a))) + sum(_weight(mb, j) for j in range(len(b)))
        matched, typos, generic_diff = 0.0, [], []
        extra_a, extra_b = [], []
        blocks = _blocks(a, b)
        for tag, i1, i2, j1, j2 in blocks:
            wa = sum(_weight(ma, i) for i in range(i1, i2))
            wb = sum(_weight(mb, j) for j in range(j1, j2))
            sa, sb = a[i1:i2], b[j1:j2]
            if tag == "equal":
                matched += wa + wb
            elif sa and sb and homophones(sa, sb):
                matched += 0.85 * (wa + wb)
                typos.append(f"{sa}→{sb}")
            else:
                content_a = "".join(c for k, c in zip(range(i1, i2), sa) if not ma[k])
                content_b = "".join(c for k, c in zip(range(j1, j2), sb) if not mb[k])
                if content_a and content_b:
                    conflict = (f"主题词不一致：申报写“{shown(_whole_words(a, i1, i2))}”，"
                                f"该系统为“{shown(_whole_words(b, j1, j2))}”")
                    if conflict not in result.conflicts:
                        result.conflicts.append(conflict)
                extra_a.append(content_a)
                extra_b.append(content_b)
                if (sa and not content_a) or (sb and not content_b):
                    generic_diff.append(sa or sb)
        result.score = 100.0 * matched / total if total else 0.0
        result.steps.append({"rule": "similarity", "text": f"名称核心“{shown(a)}”与“{shown(b)}”相似（通用词权重较低）",
                             "points": round(result.score, 1)})
        if typos:
            result.steps.append({"rule": "homophone", "text": "同音错别字：" + "、".join(typos), "points": 0.0})
        result.extra_line = "".join(extra_a)
        result.extra_system = "".join(extra_b)
        if result.extra_system and not result.extra_line and not result.conflicts:
            abbreviated = abbreviation_score(a, b)
            if abbreviated > result.score:
                result.steps.append({"rule": "abbreviation", "text": f"简写：“{shown(a)}”的字依次出现在“{shown(b)}”中",
                                     "points": round(abbreviated, 1)})
                result.score = abbreviated
        if result.extra_system:
            result.steps.append({"rule": "missing_words", "text": f"申报名称缺少该系统的“{shown(result.extra_system)}”",
                                 "points": 0.0})
        if result.extra_line and not result.conflicts:
            result.steps.append({"rule": "extra_words", "text": f"申报名称多出“{shown(result.extra_line)}”", "points": 0.0})
    return result


def _blocks(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """Levenshtein opcodes with neighbouring differences merged into one block."""
    out: list[list] = []
    for op in Levenshtein.opcodes(a, b):
        tag = "equal" if op.tag == "equal" else "diff"
        if out and out[-1][0] == tag == "diff":
            out[-1][2], out[-1][4] = op.src_end, op.dest_end
        else:
            out.append([tag, op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [tuple(b) for b in out]


def phase_check(line: Parsed, system: Parsed, siblings: list[Parsed]) -> tuple[str | None, str | None, bool]:
    """(conflict, note, doubt) of the line's phase against the system's, knowing the system's
    siblings (the unit's systems of the same core with another phase). A doubt allows a
    suggestion, not an automatic match."""
    wanted = line.phase
    if wanted is None and line.version and any(s.phase == line.version for s in (system, *siblings)):
        # V2.0 where the directory holds a second phase: which one is meant is a person's call
        note = (f"申报写有版本号V{line.version}，该系统为第{system.phase}期" if system.phase == line.version
                else f"申报写有版本号V{line.version}，总目录另有第{line.version}期")
        return None, note, True
    have = system.phase
    if wanted is not None and have is not None:
        if wanted != have:
            return f"期次不同：申报为第{wanted}期，该系统为第{have}期", None, False
        if line.phase is not None and line.phase_kind != system.phase_kind:
            return None, f"期次写法不同（申报写“{line.phase_kind}”，该系统写“{system.phase_kind}”）", True
        return None, f"期次一致（第{have}期）", False
    if wanted is not None and have is None:
        if wanted == 1:
            return None, "申报为一期，该系统未注明期次", False
        if any(s.phase == wanted for s in siblings):
            return f"期次不同：申报为第{wanted}期，该系统未注明期次（总目录另有第{wanted}期）", None, False
        return f"申报为第{wanted}期，该系统未注明期次，总目录中没有第{wanted}期", None, False
    if have is not None:
        if any(s.phase is None for s in siblings):
            return f"申报未注明期次，该系统为第{have}期，总目录另有未注明期次的同名系统", None, False
        if have == 1 and not siblings:
            return None, "申报未注明期次，总目录中只有这一期（第1期）", False
        return None, f"申报未注明期次，总目录中只有第{have}期", True
    if siblings and any(s.phase is not None for s in siblings):
        return None, "申报未注明期次，按未注明期次的这一期", False
    return None, None, False


@dataclass(frozen=True)
class Candidate:
    system_id: int
    unit_id: int
    name: str
    parsed: tuple[Parsed, ...]   # the name's and each alias's


def candidate(system_id: int, unit_id: int, name: str, aliases, unit_name: str) -> Candidate:
    parsed = tuple(dict.fromkeys(p for p in (parse(n, unit_name) for n in (name, *(aliases or ()))) if p.core))
    return Candidate(system_id, unit_id, name, parsed)


def flatten(candidates: list[Candidate]) -> tuple[list[Candidate], list[str]]:
    owners = [c for c in candidates for _ in c.parsed]
    return owners, [p.core for c in candidates for p in c.parsed]


def preselect(text_core: str, candidates: list[Candidate], flat=None, limit: int = 8) -> list[Candidate]:
    """The candidates worth comparing in detail: rapidfuzz's nearest by similarity and partial
    similarity, and every candidate of which the line is an in-order abbreviation."""
    if not candidates or not text_core:
        return []
    owners, cores = flat or flatten(candidates)
    pool = {}
    best = 0.0
    for scorer in (fuzz.ratio, fuzz.partial_ratio):
        for _, value, i in process.extract(text_core, cores, scorer=scorer, limit=limit):
            if value > 30:
                pool.setdefault(owners[i].system_id, owners[i])
            best = max(best, value) if scorer is fuzz.ratio else best
    if best < AUTO:   # the abbreviation test only where similarity finds nothing sure
        first = text_core[:1]
        for cand, key in zip(owners, cores):
            if key[:1] == first and cand.system_id not in pool and (key == text_core or abbreviation_score(text_core, key)):
                pool[cand.system_id] = cand
    return list(pool.values())
