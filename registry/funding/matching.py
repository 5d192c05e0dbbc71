"""Matching a system name as a budget requester wrote it to a registered system.

Requesters write 云阳县公安局户政管理系统（二期）运维, 户政管理平台V2.0, 2027年户政系统 … for
户政管理信息系统. `core` removes what carries no identity: the unit's name, the county, years,
version and phase suffixes, bracketed remarks, O&M wording, and the generic tail (信息/管理/服务 +
系统/平台); cleaning (full/half width, traditional/simplified, punctuation) reuses
`search.normalize.clean`. Scores (0–100) combine rapidfuzz similarity of the cores, the
registered aliases (简称), and an abbreviation test (every character of the short form, in
order, inside the full name). A line is matched within its unit first; a unit-less or unmatched
line is compared with every system.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from search.normalize import simplify

AUTO = 88      # at or above: matched without confirmation
SUGGEST = 62   # at or above: suggested for a person to confirm; below: no match

_COUNTY = re.compile(r"^(?:重庆市)?(?:云阳县|云阳)")
_YEAR = re.compile(r"(?:19|20)\d{2}(?:年度|年)?|[0-9一二三四五六七八九十]+期|第[0-9一二三四五六七八九十]+期")
_VERSION = re.compile(r"v\d+(?:\.\d+)*|版本?\d+(?:\.\d+)*|(?:新|旧|升级|改造|升级改造|扩容|建设)版?$")
_OM = re.compile(r"(?:运行维护|运维|维护|服务|技术服务)?(?:经费|费用|费|项目|工程)$|(?:运行维护|运维|维保)$")
_TAIL = re.compile(r"(?:综合)?(?:信息化|信息|数据)?(?:管理|服务|应用|业务|监管|办公)?(?:信息)?(?:系统|平台|软件|子系统)$")
_UNIT_TAIL = re.compile(r"(?:委员会|委|局|中心|办公室|办|院|所|站|队|集团有限公司|有限公司|公司)$")


_OPEN, _CLOSE = "([【〔<《{「", ")]】〕>》}」"
_BRACKET = re.compile(rf"[{re.escape(_OPEN)}]([^{re.escape(_OPEN + _CLOSE)}]*)(?:[{re.escape(_CLOSE)}]|$)")
_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


@lru_cache(maxsize=None)
def _traditional(char: str) -> bool:
    return simplify(char) != char


def clean(name: str) -> tuple[str, tuple[str, ...]]:
    """search.normalize.clean's cleaning (NFKC, simplified, lower case, bracket contents apart),
    converting traditional characters only when the name has one: most names have none, and the
    conversion is the expensive step."""
    text = unicodedata.normalize("NFKC", str(name))
    if any(ord(c) > 0x2E7F and _traditional(c) for c in text):
        text = simplify(text)
    text = text.lower()
    evidence = tuple(e for e in (_NON_WORD.sub("", m) for m in _BRACKET.findall(text)) if e)
    return _NON_WORD.sub("", _BRACKET.sub("", text)), evidence


@lru_cache(maxsize=20_000)
def unit_core(name: str) -> str:
    """云阳县公安局 → 公安局 → 公安 (for prefixes and unit matching)."""
    text = _COUNTY.sub("", clean(name)[0])
    text = re.sub(r"^国家税务总局", "", text)
    return text


def unit_prefixes(unit_name: str) -> tuple[str, ...]:
    full = clean(unit_name)[0]
    core = unit_core(unit_name)
    bare = _UNIT_TAIL.sub("", core)
    return tuple(p for p in dict.fromkeys((full, "县" + core, core, bare)) if len(p) >= 2)


@lru_cache(maxsize=50_000)
def core(name: str, unit_name: str = "") -> str:
    """The identifying part of a system name (see the module docstring)."""
    text, evidence = clean(name)
    text = _COUNTY.sub("", text).removeprefix("县")
    acronyms = "".join(e for e in evidence if e.isascii() and e.isalpha())  # (HIS), (PACS): identity
    for prefix in (*unit_prefixes(unit_name), *_short_unit_prefix(text, unit_name)) if unit_name else ():
        if text.startswith(prefix):
            rest = _strip_noise(text[len(prefix):])
            if len(rest) >= 2 and not _TAIL.fullmatch(rest):
                return rest + acronyms
            break
    return _strip_noise(text) + acronyms


_UNIT_END = re.compile(r"^.{1,6}?(?:局|委|中心|办|院)")


def _short_unit_prefix(text: str, unit_name: str) -> tuple[str, ...]:
    """人社局 for 人力资源和社会保障局: a leading unit abbreviation (its characters in order)."""
    found = _UNIT_END.match(text)
    if not found:
        return ()
    prefix = found.group(0)
    full = unit_core(unit_name)
    return (prefix,) if prefix != full and abbreviation_score(prefix, full) > 0 else ()


def _strip_noise(text: str) -> str:
    for _ in range(3):
        before = text
        text = _YEAR.sub("", text)
        text = _OM.sub("", text)
        text = _VERSION.sub("", text)
        stripped = _TAIL.sub("", text)
        text = stripped if len(stripped) >= 2 else text
        if text == before:
            break
    return text


def abbreviation_score(short: str, long: str) -> float:
    """90 when every character of `short` appears in `long` in order and the first ones agree."""
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
class Candidate:
    system_id: int
    unit_id: int
    name: str
    cores: tuple[str, ...]   # the name's core and each alias's core


def candidate(system_id: int, unit_id: int, name: str, aliases, unit_name: str) -> Candidate:
    cores = tuple(dict.fromkeys(c for c in (core(n, unit_name) for n in (name, *(aliases or ()))) if c))
    return Candidate(system_id, unit_id, name, cores)


def score(text_core: str, cand: Candidate) -> float:
    best = 0.0
    for c in cand.cores:
        if text_core == c:
            return 100.0
        best = max(best, fuzz.ratio(text_core, c), abbreviation_score(text_core, c), abbreviation_score(c, text_core))
    return best


def flatten(candidates: list[Candidate]) -> tuple[list[Candidate], list[str]]:
    """Every core with its candidate, for rapidfuzz (compute once per candidate list)."""
    owners = [c for c in candidates for _ in c.cores]
    return owners, [k for c in candidates for k in c.cores]


def rank(text_core: str, candidates: list[Candidate], limit: int = 3,
         flat: tuple[list[Candidate], list[str]] | None = None) -> list[tuple[Candidate, float]]:
    """The best candidates by the full score. rapidfuzz preselects by similarity; the abbreviation
    test (not a similarity) runs over every candidate only when similarity finds nothing sure."""
    if not candidates:
        return []
    owners, cores = flat or flatten(candidates)
    near = process.extract(text_core, cores, scorer=fuzz.ratio, limit=limit * 3)
    pool = {owners[i].system_id: owners[i] for _, _, i in near}
    if not near or near[0][1] < AUTO:
        for cand in candidates:
            if any(abbreviation_score(text_core, k) or abbreviation_score(k, text_core) for k in cand.cores):
                pool.setdefault(cand.system_id, cand)
    scored = sorted(((c, score(text_core, c)) for c in pool.values()), key=lambda p: -p[1])
    return [p for p in scored[:limit] if p[1] > 0]


def rank_global(text_cores: list[str], candidates: list[Candidate], limit: int = 3) -> list[list[tuple[Candidate, float]]]:
    """For many names at once against every system: rapidfuzz's C matrix picks each row's best
    few by similarity, then the full score (aliases, abbreviation) orders them."""
    if not text_cores or not candidates:
        return [[] for _ in text_cores]
    flat = [(c, k) for c in candidates for k in c.cores]
    matrix = process.cdist(text_cores, [k for _, k in flat], scorer=fuzz.ratio, workers=-1)
    results = []
    for i, text_core in enumerate(text_cores):
        row = matrix[i]
        top = row.argsort()[::-1][:limit * 4]
        seen, picked = set(), []
        for j in top:
            cand = flat[int(j)][0]
            if cand.system_id not in seen:
                seen.add(cand.system_id)
                picked.append(cand)
        results.append(rank(text_core, picked, limit))
    return results
