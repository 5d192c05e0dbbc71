"""Input schemas of the project actions (Chinese messages naming each field)."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, validate

from catalog_schema import vocabularies as catalog_vocab
from catalog_schema.fields import Bool, ChineseSchema, Int, Ref, Text, Vocab
from registry.core.ordering import Sort
from registry.projects import vocab

MAX_YUAN = 10**12


class Day(fields.Date):
    """A date as YYYY-MM-DD (also 2026/9/30 and 2026年9月30日)."""

    def __init__(self, label: str, required: bool = False, **kw):
        kw.setdefault("allow_none", not required)
        super().__init__(required=required, metadata={"label": label},
                         error_messages={"required": f"{label}为必填项", "null": f"{label}不能为空",
                                         "invalid": f"{label}必须是日期（如 2026-09-30）"}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            text = value.strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
            parts = text.split("-")
            if len(parts) == 3 and all(p.isdecimal() for p in parts):
                try:
                    return date(int(parts[0]), int(parts[1]), int(parts[2]))
                except ValueError:
                    pass
        raise ValidationError(f"{self.metadata['label']}必须是日期（如 2026-09-30）")


def Yuan(label: str, required: bool = False, minimum: int = 0, **kw):
    return Int(label, required=required, minimum=minimum, maximum=MAX_YUAN, **kw)


def CodeList(vocabulary, **kw):
    return fields.List(Vocab(vocabulary, required=True), load_default=list,
                       error_messages={"invalid": f"{vocabulary.label}必须是列表"},
                       metadata={"label": vocabulary.label}, **kw)


class SystemLink(fields.Raw):
    """A system the project builds (an id or code) or {"system": ref, "relation": "build"|"change"}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            ref, relation = value.get("system"), value.get("relation") or "build"
        else:
            ref, relation = value, "build"
        if relation not in ("build", "change"):
            raise ValidationError("关联方式只能是 build（新建）或 change（改造）")
        if isinstance(ref, bool) or not isinstance(ref, (int, str)) or not str(ref).strip():
            raise ValidationError("信息系统必须是编号或代码")
        ref = int(ref) if isinstance(ref, str) and ref.strip().isdecimal() else ref
        return {"system": ref, "relation": relation}


DECLARATION_FIELDS = ("name", "kind", "competent_department", "leader", "leader_phone", "contact",
                      "contact_phone", "background", "estimate_yuan", "preparation", "schedule", "materials",
                      "remarks", "filler", "filler_phone", "declaring_unit", "declared_on")
OTHER_FIELDS = ("funding_source", "predecessor_post_evaluation", "feasibility_chapters", "crypto_plan")


class ProjectSchema(ChineseSchema):
    unit = Ref("项目业主", required=True)
    name = Text("项目名称", max_length=200, required=True, blank=False)
    kind = Vocab(catalog_vocab.PROJECT_TYPE, required=True)
    competent_department = Text("行政主管部门", max_length=200, load_default="")
    leader = Text("分管领导", max_length=60, load_default="")
    leader_phone = Text("分管领导联系电话", max_length=40, load_default="")
    contact = Text("项目联系人", max_length=60, load_default="")
    contact_phone = Text("项目联系人联系电话", max_length=40, load_default="")
    background = Text("建设背景和依据", max_length=8000, load_default="")
    estimate_yuan = Yuan("经费估算（元）", load_default=0)
    preparation = Text("前期准备情况", max_length=8000, load_default="")
    schedule = Text("进度计划和年度资金估算", max_length=8000, load_default="")
    materials = fields.List(Text("附件材料", max_length=200), load_default=list,
                            validate=validate.Length(max=30, error="附件材料最多 30 项"),
                            error_messages={"invalid": "附件材料必须是列表"})
    remarks = Text("备注", max_length=4000, load_default="")
    filler = Text("填表人", max_length=60, load_default="")
    filler_phone = Text("填表人联系电话", max_length=40, load_default="")
    declaring_unit = Text("申报单位", max_length=200, load_default="")
    declared_on = Day("申报日期")
    funding_source = Text("资金来源", max_length=200, load_default="")
    predecessor = Ref("前期项目")
    predecessor_post_evaluation = Text("前期项目第三方后评价报告", max_length=2000, load_default="")
    feasibility_chapters = CodeList(vocab.CHAPTER)
    crypto_plan = Text("密码应用方案", max_length=4000, load_default="")
    systems = fields.List(SystemLink(metadata={"label": "信息系统"}), load_default=None, allow_none=True,
                          error_messages={"invalid": "信息系统必须是列表"})


class ProjectUpdateSchema(ProjectSchema):
    id = Ref("项目编号", required=True)
    version = Int("版本号", minimum=1)


class ProjectIdSchema(ChineseSchema):
    id = Ref("项目编号", required=True)


class PartSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    unit = Ref("参建单位", required=True)
    content = Text("参建内容", max_length=4000, load_default="")
    resources = fields.List(Ref("信息资源", required=True), load_default=list,
                            error_messages={"invalid": "信息资源必须是列表"})


class TransitionSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    transition = Text("操作", max_length=40, required=True, blank=False)
    version = Int("版本号", minimum=1)
    opinion = Text("意见", max_length=8000, load_default="")
    approval_reference = Text("批复文号", max_length=200, load_default="")
    approved_total_yuan = Yuan("批复总投资（元）", minimum=1)
    approved_on = Day("批复日期")
    investment_reviewed_yuan = Yuan("投资评审金额（元）", minimum=1)
    completed_on = Day("建成日期")
    accepted_on = Day("验收日期")
    materials = CodeList(vocab.MATERIAL)
    reference = Text("文号或报告编号", max_length=200, load_default="")
    report_date = Day("报告日期")


class PartiesSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    contractor = Text("承建单位", max_length=200)
    contractor_credit_code = Text("承建单位统一社会信用代码", max_length=40)
    supervisor = Text("监理单位", max_length=200)


class ListSubmitSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    year = Int("预算年度", required=True, minimum=2000, maximum=2100)
    amount_yuan = Yuan("年度资金（元）")
    note = Text("说明", max_length=2000, load_default="")


class ListAddSchema(ListSubmitSchema):
    origin = Vocab(vocab.LIST_ORIGIN, required=True)


class BudgetCheckSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    year = Int("预算年度", required=True, minimum=2000, maximum=2100)


PROJECT_SORTS = ("id", "name", "unit", "stage", "status", "estimate", "approved")


class ProjectSearchSchema(ChineseSchema):
    year = Int("预算年度", minimum=2000, maximum=2100)
    stage = Vocab(vocab.STAGE)
    unit = Ref("单位")
    q = Text("关键词", max_length=100)
    sort = Sort(PROJECT_SORTS)
    rows = Int("条数", minimum=0, maximum=1000)
    start = Int("起始位置", minimum=0, load_default=0)


class AdjustmentSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    amount_yuan = Yuan("调整金额（元）", required=True, minimum=1)
    new_total_yuan = Yuan("调整后总投资（元）", required=True, minimum=1)
    reason = Vocab(vocab.ADJUSTMENT_REASON, required=True)
    targets_unchanged = Bool("建设目标不变", load_default=True)
    description = Text("调整内容", max_length=4000, load_default="")


class PerformanceReportSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    year = Int("报告年度", required=True, minimum=2000, maximum=2100)
    report_date = Day("报告日期")
    content = Text("报告内容", max_length=8000, load_default="")
    reference = Text("报告编号", max_length=200, load_default="")


class ProblemReportSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    problem_kind = Vocab(vocab.PROBLEM_KIND, required=True)
    content = Text("问题说明", max_length=8000, required=True, blank=False)


class ProblemDecisionSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    decision = Vocab(vocab.PROBLEM_DECISION, required=True)
    rectify_by = Day("整改期限")
    note = Text("说明", max_length=4000, load_default="")


class ArchiveAcceptanceSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    passed = Bool("档案验收是否合格", required=True)
    accepted_on = Day("档案验收日期", required=True)
    reference = Text("档案验收文号", max_length=200, load_default="")


class ExtensionRequestSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    requested_until = Day("申请延期至", required=True)
    reason = Text("延期理由", max_length=4000, required=True, blank=False)


class ExtensionDecisionSchema(ChineseSchema):
    extension = Ref("延期申请编号", required=True)
    approve = Bool("是否同意", required=True)
    note = Text("说明", max_length=2000, load_default="")


class PostEvaluationSchema(ChineseSchema):
    id = Ref("项目编号", required=True)
    report_date = Day("报告日期", required=True)
    reference = Text("后评价报告编号", max_length=200, required=True, blank=False)
    content = Text("后评价结论", max_length=8000, load_default="")


class BlacklistAddSchema(ChineseSchema):
    name = Text("承建企业名称", max_length=200, required=True, blank=False)
    credit_code = Text("统一社会信用代码", max_length=40, load_default="")
    listed_on = Day("纳入黑名单日期", required=True)
    reason = Text("纳入理由", max_length=4000, required=True, blank=False)
    project = Ref("相关项目")


class BlacklistCheckSchema(ChineseSchema):
    name = Text("承建企业名称", max_length=200, required=True, blank=False)
    credit_code = Text("统一社会信用代码", max_length=40, load_default="")
    as_of = Day("查询日期")


class DueListSchema(ChineseSchema):
    as_of = Day("查询日期")
    unit = Ref("单位")
    role = Text("角色", max_length=20)
