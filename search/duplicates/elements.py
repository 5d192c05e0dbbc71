"""Map an information item (name, data type, length) to a standard data element.

Why a dictionary first: similarity proposes, it must not decide (出生日期 and 死亡日期 are one
character apart). The registry (catalog_schema/data_elements.csv) holds each element's
同义名称; a name that is a synonym after normalisation is mapped with certainty. Only then do
weaker readings run, each accepted only when what differs between the name and a synonym is
provably meaningless:

1. alias (confidence 1.0, 0.97 after peeling) — the canonical name, or the core left after
   peeling roles and subject designators (居民身份证号 → 身份证号, 学校地址 → 住所), is a synonym;
2. unknown party (0.85) — a party noun the lexicons lack, recognised by its ending (迁移人,
   持卡人, 使用单位), in front of a synonym;
3. contained (0.93) — a synonym sits inside the name among harmless words (户籍所在地详细地址);
4. fuzzy (0.9 reordered, 0.88 insertions, 0.82 omissions) — rapidfuzz proposes near synonyms;
   the character alignment, with inserted segments split into words by jieba, must show only
   harmless insertions or optional omissions. Any substitution (出生→死亡, 开始→结束,
   名称→类型, 个人→单位) rejects, which keeps every hard negative apart;
5. amount (0.9) — a numeric item named by its noun alone (个人缴费 N → 个人缴费金额);
6. evidence — a generic element is refined by bracket content (证件号码(身份证)) or by type and
   length (证件号码 C18 → 公民身份号码, 有效期限 as D → 有效期截止日期); a type-family conflict
   (证件号码 as D) rejects the mapping; a fixed-length code that cannot fit (c18 in C10) drops
   to the review band.

Qualifier policy. A role-qualified item (法定代表人联系电话) maps to the base element (联系电话)
and carries its role class as `qualifier`; the duplicate `key` is the element id plus that class.
So 法定代表人联系电话 = 法人代表电话 (same element, same class), but ≠ 经办人联系电话 and ≠ plain
联系电话. Why: the element says *what kind* of value it is, the role says *whose* value; two
units duplicate a collection only when both hold the same value of the same party. A bare role
(法定代表人, 联系人) means that party's name; an organisation's 名称 when the role word or the
head says so (申请单位, 销售方名称 → 单位名称 with the role). Subject designators (患者, 学生, 企业 …) name the
record's own subject, so 患者姓名 = 姓名; they are dropped only when the element's subject
agrees (单位 cannot be peeled off 单位缴费金额 onto a personal amount).

Context (`in_context`, applied by the scan with the item's resource title): `X名称` of an organisation
the dictionary does not know, or its code (监管单位统一社会信用代码), is another organisation's unless
the title is about X (旅行社名称 in 旅行社经营许可信息 is the subject's own 单位名称); a bare 经营范围
in a licence's resource is the licence's scope (许可内容), not the registered business scope.

Explanation: every ElementMatch carries `why`, each step of the judgement (normalisation, the
dictionary entry or synonym matched and by which rule, type/length evidence, role, context) with its
score; findings show them (search.actions.explain_finding).

Names that map to no element keep a key of their canonical text (confidence 0.85), so
identical items outside the dictionary still pair up; generic names (备注, 名称, 状态, and a
designator plus one, 个人编号) get no key at all: they do not say which data item they hold.

Bands (bench/dedup_quality.py on tests/data/dedup_eval): `same_item` accepts equal keys when
both confidences are ≥ AUTO_ACCEPT = 0.8. Measured pairwise precision in that band: 0.981 on the
dev split (recall 0.988) and 0.967 on the held-out test split (recall 0.978, 0.956 / 0.956
when first measured blind). On warehouse-style names (tests/data/dedup_real, issue 16) the two
held-out parts measure 0.967 / 0.988 and 0.989 / 0.925 (first blind 0.694 / 0.898 and 0.920 / 0.925). REVIEW ≤ confidence < AUTO_ACCEPT is for the Bureau to confirm
(search/duplicates/scan.py reads from REVIEW up); no eval pair falls there. Below REVIEW: not proposed.
"""
from __future__ import annotations

from dataclasses import dataclass

from catalog_schema.data_elements import DataElement, load_elements
from search.duplicates.element_readings import PLACE_NOUN_ENDINGS, Reading, Readings
from search.duplicates.normalize import Normalized, canonical, clean, index_key, is_generic, normalize
from search.duplicates.type_evidence import FAMILY, compatible, length_conflict, parse_type

AUTO_ACCEPT = 0.8
REVIEW = 0.6

PERSON_NAME, ORG_NAME, WORKPLACE = "姓名", "单位名称", "工作单位"
NAME_CORES = frozenset(("", "名称", "姓名", "名字", "名"))
ORG_ROLE_ENDINGS = ("单位", "机构", "企业", "公司")   # 申请单位: a party that is an organisation
# A numeric item named by its noun alone holds that noun's amount or count (个人缴费 N = 个人缴费金额).
AMOUNT_HEADS = ("金额", "额", "数", "数量", "人数")
# Generic elements refined by type evidence: name → ((family or exact length, specific element), …).
REFINEMENTS = {
    "证件号码": ((18, "公民身份号码"),),          # GB 11643: an 18-long character field
    "有效期限": (("date", "有效期截止日期"),),      # a period stored as a date is its end
}
_MEMO_LIMIT = 500_000


# What a name's bracket may add when it says where a generic address comes from: 具体地址(工商注册).
ADDRESS_HEADS = ("具体", "详细", "实际")
# Completions of a name the source truncated (…统一社会信用 → 统一社会信用代码): only for long names.
TRUNCATED_HEADS = ("代码", "号码", "号", "名称")
TRUNCATED_MIN = 5
# Resource titles that say the record is a licence: a bare 经营范围 there is the licence's scope.
LICENCE_WORDS = ("许可", "证照", "资质", "审批", "备案")
LICENCE_SCOPE = "许可内容"
METHOD_LABELS = {
    "alias": "同义名称", "peeled": "去掉角色或主体前缀后为同义名称", "evidence": "括号内容或类型长度作证",
    "contained": "名称中含同义名称，其余为无关词", "fuzzy": "与同义名称相近，仅差无关词或可省略的字",
    "reordered": "与同义名称字序不同", "unknown_party": "未知当事方 + 同义名称", "party_element": "当事方本身是数据元",
    "amount": "数值型，名词后省略了“金额/数量”", "belongs": "“所属…名称”是主体所属的组织", "truncated": "名称被截断，补全后为同义名称",
    "subject": "按信息资源名称判断是记录主体自身", "other_party": "另一个组织的标识", "licence": "信息资源是许可证照，范围属许可内容",
    "unmapped": "未对应数据元，按名称原文比对", "generic": "名称过于笼统，不作比对", "type_conflict": "数据类型与数据元冲突",
}


@dataclass(frozen=True)
class ElementMatch:
    element_id: str | None
    confidence: float
    method: str                 # alias / peeled / contained / fuzzy / evidence / unmapped / generic / type_conflict …
    qualifier: str | None
    key: str | None             # two items are the same data item when their keys are equal
    normalized: str = ""
    # Why: each step of the judgement as (step, detail, score), in order; shown with every finding.
    why: tuple[tuple[str, str, float], ...] = ()
    org_noun: str | None = None  # an organisation the lexicons do not know: X of `X名称`, or whose code it is

    def explanation(self) -> list[dict]:
        return [{"step": step, "detail": detail, "score": score} for step, detail, score in self.why]


def same_item(a: ElementMatch, b: ElementMatch, threshold: float = AUTO_ACCEPT) -> bool:
    """Whether two matched items are the same data item, at the given confidence band."""
    return (a.key is not None and a.key == b.key
            and min(a.confidence, b.confidence) >= threshold)


class ElementMatcher:
    """Maps item names to data elements; memoised, so a repeated name costs one dict lookup."""

    def __init__(self, elements: tuple[DataElement, ...] | None = None) -> None:
        self.elements = {e.id: e for e in (elements if elements is not None else load_elements())}
        self._alias: dict[str, str] = {}
        for element in self.elements.values():
            for spelling in element.spellings:
                owner = self._alias.setdefault(index_key(spelling), element.id)
                if owner != element.id:
                    raise ValueError(f"同义名称“{spelling}”同时属于 {owner} 和 {element.id}")
        self._by_name = {e.name: e.id for e in self.elements.values()}
        self._refine = {self._by_name[generic]: tuple((test, self._by_name[specific]) for test, specific in rules)
                        for generic, rules in REFINEMENTS.items()}
        self._readings = Readings(self._alias, self.elements)
        self._scope = self._by_name["经营范围"]
        self._memo: dict[tuple, ElementMatch] = {}
        self._resolved: dict[tuple, ElementMatch] = {}

    def alias_of(self, name: str) -> str | None:
        """The element id a name is a synonym of (after normalisation), or None."""
        return self._alias.get(index_key(name))

    def match(self, name: str, data_type: str | None = None, length: int | str | None = None) -> ElementMatch:
        memo_key = (name, data_type, length)
        found = self._memo.get(memo_key)
        if found is None:
            norm = normalize(name)
            code, size = parse_type(data_type, length)
            resolved_key = (norm.text, norm.evidence, code, size)
            found = self._resolved.get(resolved_key)
            if found is None:
                found = self._resolve(norm, code, size)
                _store(self._resolved, resolved_key, found)
            _store(self._memo, memo_key, found)
        return found

    # -- resolution ---------------------------------------------------------------------------

    def _resolve(self, norm: Normalized, code: str | None, length: int | None) -> ElementMatch:
        cleaned = clean(norm.raw)[0]  # width, traditional characters, brackets, spaces (not 号码/号 folding)
        why = [("规范化", f"“{norm.raw}” → “{cleaned}”", 1.0)] if cleaned != norm.raw else []
        reading = self._read(norm, code)
        if reading is None:
            return self._unmapped(norm, why)
        element_id, role, method, confidence, via = reading
        element = self.elements[element_id]
        lead = {"contained": f"“{cleaned}”中的", "truncated": f"“{cleaned}”补全为", "amount": f"“{cleaned}”补全为",
                "fuzzy": f"“{cleaned}”相近于", "reordered": f"“{cleaned}”调整字序即",
                "peeled": f"“{cleaned}”去掉前缀后为", "unknown_party": f"“{cleaned}”去掉当事方后为"}.get(method, "")
        if via == norm.text:
            via = cleaned  # shown as written (after cleaning), not in its folded form
        why.append((METHOD_LABELS.get(method, method),
                    f"{lead}“{via}”是数据元 {element.id}“{element.name}”的{'名称' if via == element.name else '同义名称'}",
                    round(confidence, 3)))
        refined = self._refined(norm, element_id, method, confidence, code, length)
        if refined[0] != element_id:
            why.append(("类型长度作证", refined[3], round(refined[2], 3)))
        element_id, method, confidence = refined[:3]
        element = self.elements[element_id]
        if not compatible(element, code):
            why.append(("类型冲突", f"数据类型 {code} 不能存放“{element.name}”（{element.data_type}）", 0.0))
            return ElementMatch(None, 0.0, "type_conflict", role, None, norm.text, tuple(why))
        if length_conflict(element, code, length):
            confidence = min(confidence, REVIEW + 0.1)
            why.append(("长度不足", f"“{element.name}”定长 {element.length}，本项长度 {length}：降为待复核",
                        round(confidence, 3)))
        role = role or norm.evidence_role
        if role:
            why.append(("角色", f"属于“{role}”的{element.name}，只与同一角色的信息项相同", round(confidence, 3)))
        key = element_id if role is None else f"{element_id}@{role}"
        other = role if method == "other_party" else None
        if other:
            why[-1] = (why[-1][0], f"“{other}”是另一个组织：这是它的{element.name}，不是记录主体的", why[-1][2])
        return ElementMatch(element_id, round(confidence, 3), method, role, key, norm.text, tuple(why), other)

    def in_context(self, found: ElementMatch, title: str | None) -> ElementMatch:
        """The mapping of an item read together with its resource's title (whose name, which scope):

        - `X名称` of an organisation the lexicons do not know is the record subject's own name when
          the resource is about X's (旅行社名称 in 旅行社信息), another organisation's otherwise
          (监督机构名称 in 公共场所卫生许可信息) and then keeps a key of its own;
        - a bare 经营范围 in a licence's resource (道路运输经营许可信息) is the licence's scope, not
          the registered business scope."""
        if not title or (found.org_noun is None and found.element_id != self._scope):
            return found  # (nearly every item: one comparison)
        if found.method == "other_party":
            if not _names_subject(found.org_noun, title):
                return found
            why = (*found.why, ("记录主体", f"信息资源“{title}”记录的就是“{found.org_noun}”：这是记录主体的"
                                        f"{self.elements[found.element_id].name}", 0.85))
            return ElementMatch(found.element_id, 0.85, "subject", None, found.element_id, found.normalized, why)
        if found.org_noun and _names_subject(found.org_noun, title):
            element_id = self._by_name[ORG_NAME]
            why = (*found.why, ("记录主体", f"信息资源“{title}”记录的就是“{found.org_noun}”：其名称即{ORG_NAME}", 0.85))
            return ElementMatch(element_id, 0.85, "subject", found.qualifier,
                                element_id if found.qualifier is None else f"{element_id}@{found.qualifier}",
                                found.normalized, why)
        if found.element_id == self._scope and any(w in title for w in LICENCE_WORDS):
            element_id = self._by_name[LICENCE_SCOPE]
            why = (*found.why, ("许可证照", f"信息资源“{title}”是许可证照：其经营范围是许可内容，不是登记的经营范围",
                               found.confidence))
            return ElementMatch(element_id, found.confidence, "licence", found.qualifier, element_id,
                                found.normalized, why)
        return found

    def _read(self, norm: Normalized, code: str | None) -> Reading | None:
        """The best reading of the name: (element id, role class, method, confidence)."""
        if not norm.text:
            return None
        for evidence in norm.evidence:  # 有效期限(起), 当事人姓名(名称): the bracket completes the name
            spelled = canonical(norm.text + evidence)
            found = self._alias.get(spelled)
            if found:
                return found, None, "evidence", 0.97, spelled
            bare = norm.text
            while bare.startswith(ADDRESS_HEADS):  # 具体地址(工商注册) → 工商注册地址
                bare = bare[2:]
            for source in (evidence, evidence.removeprefix("工商")):
                spelled = canonical(source + bare)
                found = self._alias.get(spelled) if bare else None
                if found:
                    return found, None, "evidence", 0.9, spelled
        found = self._alias.get(norm.text)
        if found:
            return found, None, "alias", 1.0, norm.text
        found = self._belongs_to(norm.text) or self._peeled(norm) or self._readings.unknown_party(norm.text)
        if found:
            return found
        for text, role in self._bases(norm):
            found = self._readings.contained(text) or self._readings.fuzzy(text)
            if found:
                return found[0], role, found[1], found[2], found[3]
        if FAMILY.get(code or "") == "num":
            for head in AMOUNT_HEADS:
                spelled = canonical(norm.text + head)
                found = self._alias.get(spelled)
                if found:
                    return found, None, "amount", 0.9, spelled
        if len(norm.text) >= TRUNCATED_MIN:
            for head in TRUNCATED_HEADS:
                spelled = canonical(norm.text + head)
                found = self._alias.get(spelled)
                if found:
                    return found, None, "truncated", 0.85, spelled
        return None

    def _peeled(self, norm: Normalized) -> Reading | None:
        """Peel one prefix at a time, so 企业法定代表人联系电话 is tried at every depth."""
        text, role, designated = norm.text, None, []
        for prefix in norm.prefixes:
            text = text[len(prefix.text):]
            if prefix.role and role is None:
                role = prefix.role
            elif prefix.role:
                return None  # two roles (法定代表人委托代理人): not a reading we can trust
            if prefix.designates:
                designated.append(prefix.designates)
            element_id = (self._party_name(prefix.text, role, text) or self._alias.get(text)
                          or self._readings.designator_head(prefix.designates, text))
            if element_id and self._readings.subject_fits(element_id, designated):
                return element_id, role, "peeled", 0.97, text or prefix.text
        return None

    def _belongs_to(self, text: str) -> Reading | None:
        """参保所属单位名称, 所属旅行社名称: the name of the organisation the subject belongs to,
        never the record subject's own name."""
        head, found, rest = text.partition("所属")
        if not found or not rest.endswith(("名称", "全称")) or len(head) > 4:
            return None
        if self._alias.get(rest) == self._by_name[ORG_NAME] or self._readings.org_noun(rest):
            return self._by_name[WORKPLACE], None, "belongs", 0.85, "所属" + rest
        return None

    def _party_name(self, word: str, role: str | None, text: str) -> str | None:
        """A bare role (法定代表人, 申请单位) or role + 名称/姓名 means that party's name: an
        organisation's 名称 when the role word or the head says so (申请单位, 销售方名称)."""
        if not role or text not in NAME_CORES:
            return None
        organisation = text == "名称" or word.endswith(ORG_ROLE_ENDINGS)
        return self._by_name[ORG_NAME if organisation else PERSON_NAME]

    @staticmethod
    def _bases(norm: Normalized):
        """The name after its role is peeled (if any), then the whole name."""
        role_prefix = _role_prefix(norm)
        if role_prefix is not None:
            rest = norm.text.split(role_prefix.text, 1)[1]
            if rest:
                yield rest, role_prefix.role
        yield norm.text, None

    def _refined(self, norm: Normalized, element_id: str, method: str, confidence: float,
                 code: str | None, length: int | None) -> tuple[str, str, float, str]:
        """A generic element made specific by bracket content, type or length."""
        rules = self._refine.get(element_id)
        if not rules:
            return element_id, method, confidence, ""
        generic = self.elements[element_id].name
        for evidence in norm.evidence:  # 证件号码(身份证)
            specific = self._alias.get(evidence)
            if specific is not None:
                return (specific, "evidence", min(confidence, 0.95),
                        f"括号内“{evidence}”说明{generic}是“{self.elements[specific].name}”")
        for test, specific in rules:
            name = self.elements[specific].name
            if test == "date" and FAMILY.get(code or "") == "date":
                return specific, "evidence", min(confidence, 0.9), f"日期型的{generic}是“{name}”"
            if isinstance(test, int) and length == test and code in (None, "C"):
                return (specific, "evidence", min(confidence, 0.9),
                        f"字符型、长度 {length} 的{generic}是“{name}”（{self.elements[specific].standard or ''}）")
        return element_id, method, confidence, ""

    def _unmapped(self, norm: Normalized, why: list) -> ElementMatch:
        role = prefix.role if (prefix := _role_prefix(norm)) else None
        for evidence in norm.evidence:  # 名称(姓名): the bracket says what the generic name holds
            element_id = self._alias.get(evidence)
            if element_id and is_generic(norm.text):
                why.append((METHOD_LABELS["evidence"], f"笼统名称“{norm.text}”，括号内“{evidence}”是数据元"
                            f" {element_id}“{self.elements[element_id].name}”", 0.9))
                return ElementMatch(element_id, 0.9, "evidence", norm.evidence_role, element_id, norm.text, tuple(why))
            if element_id and len(evidence) >= 4 and norm.text[-2:] == evidence[-2:]:  # 相对人代码(统一社会信用代码)
                why.append((METHOD_LABELS["evidence"], f"“{norm.text}”的括号内说明是“{evidence}”：数据元"
                            f" {element_id}“{self.elements[element_id].name}”", 0.85))
                return ElementMatch(element_id, 0.85, "evidence", norm.evidence_role, element_id, norm.text, tuple(why))
        system_number = is_generic(norm.core) and not any(p.role for p in norm.prefixes)  # 个人编号
        if not norm.text or is_generic(norm.text) or system_number:
            why.append((METHOD_LABELS["generic"], f"“{norm.text or norm.raw}”不说明是哪一项数据", 0.0))
            return ElementMatch(None, 0.0, "generic", role, None, norm.text, tuple(why))
        org_noun = self._readings.org_noun(norm.text)
        detail = f"“{norm.text}”不在数据元目录中：只与同名信息项比对"
        if org_noun:
            detail = f"“{org_noun}”是另一个组织，其名称不是记录主体的{ORG_NAME}；" + detail
        why.append((METHOD_LABELS["unmapped"], detail, 0.85))
        return ElementMatch(None, 0.85, "unmapped", role, f"~{norm.text}", norm.text, tuple(why), org_noun)


GENERIC_ORG_HEADS = ("单位", "机构", "企业", "公司", "组织")
REGISTERED_PLACES = ("场所",)
REGISTER_TAILS = ("信息", "基本", "登记", "备案", "名录", "台账")


def _names_subject(noun: str, title: str) -> bool:
    """Whether a resource title says its records are about the organisation `noun` names:
    旅行社 in 旅行社经营许可信息, 使用单位 in 特种设备使用登记信息 (the qualifier of a generic
    organisation word), 律所 in 律师事务所信息 (an abbreviation: its characters in order, close).
    A venue (场所) is the subject only of a register of such venues (宗教活动场所信息, registered
    with a credit code), not of a record that merely mentions one (公众聚集场所…消防安全检查信息);
    a facility (公交站, 监测点, 观测站) never is."""
    if noun.endswith(PLACE_NOUN_ENDINGS):
        if not noun.endswith(REGISTERED_PLACES):
            return False  # 站, 点, 库点: a facility, never a legal person
        head = title
        for tail in REGISTER_TAILS:
            head = head.removesuffix(tail)
        return head.endswith(noun)
    if noun in title:
        return True
    if noun.endswith(GENERIC_ORG_HEADS) and len(noun) >= 4 and noun[:-2] in title:
        return True
    start = title.find(noun[0])
    while start >= 0:
        at = start
        for char in noun[1:]:
            at = title.find(char, at + 1)
            if at < 0 or at - start > len(noun) + 3:
                break
        else:
            return True
        start = title.find(noun[0], start + 1)
    return False


def _role_prefix(norm: Normalized):
    """The first role prefix, unless it is one character (父, 母): those only count when the
    rest of the name is a synonym (父姓名), never as a guess (母婴室数量)."""
    return next((p for p in norm.prefixes if p.role and len(p.text) > 1), None)


def _store(memo: dict, key: tuple, value: ElementMatch) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
