"""The sharing vocabularies (code + Chinese label) and the input schemas of every sharing action."""
from __future__ import annotations

from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import ChineseSchema, Int, Ref, Text, Vocab
from catalog_schema.vocabularies import Term, Vocabulary
from registry.core.ordering import Sort

REQUEST_STATUS = Vocabulary("sharing_request_status", "申请状态", (
    Term("pending", "待答复"), Term("approved", "已同意"), Term("partial", "部分同意"),
    Term("refused", "不同意"), Term("withdrawn", "已撤回"),
))
ANSWER = Vocabulary("sharing_answer", "答复结论", (
    Term("approve", "同意", ("同意共享",)), Term("partial", "部分同意", ("部分",)),
    Term("refuse", "不同意", ("拒绝", "不予同意")),
))
ARBITRATION = Vocabulary("sharing_arbitration", "协调结论", (
    Term("approve", "应予共享", ("同意", "共享")), Term("refuse", "维持不予共享", ("不同意", "维持")),
))
ORIGIN = Vocabulary("sharing_origin", "申请来源", (
    Term("resource", "信息资源页面"), Term("item_search", "信息项检索结果"),
    Term("finding", "重复采集线索"), Term("provider_hint", "“已由其他单位提供”提示"),
))
OBJECTION_KIND = Vocabulary("objection_kind", "校核问题类型", (
    Term("wrong", "数值错误", ("错误", "值错误")), Term("stale", "数据过期", ("过期", "未更新")),
    Term("missing", "数据缺失", ("缺失", "缺项")),
))
OBJECTION_RESULT = Vocabulary("objection_result", "校核答复结论", (
    Term("corrected", "已更正", ("更正",)), Term("explained", "数据无误（已说明）", ("无误", "已说明")),
    Term("rejected", "不予采纳", ("不采纳",)),
))
RECORD_STATUS = Vocabulary("sharing_record_status", "共享状态", (
    Term("active", "共享中"), Term("expired", "已到期"), Term("revoked", "已终止"),
))


class ReadSchema(ChineseSchema):
    class Meta:
        unknown = EXCLUDE


def DateField(label: str, required: bool = False, **kw):
    kw.setdefault("allow_none", not required)
    return fields.Date(required=required, metadata={"label": label}, error_messages={
        "required": f"{label}为必填项", "null": f"{label}不能为空",
        "invalid": f"{label}必须是“年-月-日”格式的日期，如 2026-12-06", "format": f"{label}必须是“年-月-日”格式的日期，如 2026-12-06"}, **kw)


class IntList(fields.List):
    def __init__(self, label: str, required: bool = False, **kw):
        super().__init__(Int(label, minimum=1, required=True), required=required,
                         validate=validate.Length(min=1, max=500, error=f"{label}须选择 1–500 个"),
                         error_messages={"required": f"{label}为必填项", "invalid": f"{label}必须是编号列表",
                                         "null": f"{label}不能为空"},
                         metadata={"label": label}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, str)):   # a form posts one value as a scalar
            value = [value]
        return super()._deserialize(value, attr, data, **kwargs)


class RequestCreateSchema(ChineseSchema):
    resource = Ref("被申请的信息资源", required=True)
    items = IntList("申请的信息项", required=True)
    requester_system = Ref("申请使用的信息系统", required=True)
    purpose = Text("用途", max_length=2000, required=True, blank=False)
    scenario = Text("应用场景", max_length=2000, required=True, blank=False)
    basis = Text("依据", max_length=2000, load_default="")
    sharing_method = Vocab(vocab.SHARING_METHOD, required=True)
    period_start = DateField("共享起始日期")
    period_end = DateField("共享截止日期")
    origin = Vocab(ORIGIN, load_default="resource")
    finding = Int("重复采集线索编号", minimum=1)

    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError("共享截止日期不能早于起始日期", "period_end")


class IdSchema(ReadSchema):
    id = Int("编号", required=True, minimum=1)


class WriteIdSchema(ChineseSchema):
    id = Int("申请编号", required=True, minimum=1)
    version = Int("版本号", minimum=1)


class RequestListSchema(ReadSchema):
    box = fields.String(load_default="all", validate=validate.OneOf(
        ["all", "sent", "received", "review"], error="列表范围只能是 all、sent（本单位提出）、received（向本单位申请）或 review（待大数据局审核）"))
    status = Vocab(REQUEST_STATUS)
    unit = Ref("单位")
    overdue = fields.Boolean(load_default=False, error_messages={"invalid": "仅看超期只能是 true 或 false"})
    rows = Int("条数", minimum=0, maximum=1000, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(("id", "requester", "provider", "resource", "status", "submitted", "due"))


class AnswerSchema(WriteIdSchema):
    decision = Vocab(ANSWER, required=True)
    items = fields.List(Int("同意的信息项", minimum=1), load_default=None, allow_none=True,
                        error_messages={"invalid": "同意的信息项必须是编号列表"})
    reason = Text("不同意的理由", max_length=2000, load_default="")
    basis = Text("不同意的依据", max_length=2000, load_default="")
    note = Text("答复说明", max_length=2000, load_default="")
    interface_address = Text("接口地址", max_length=500)
    contact_person = Text("联系人", max_length=100)
    contact_phone = Text("联系电话", max_length=50)

    @validates_schema
    def _refusal(self, data, **kwargs):
        errors = {}
        if data["decision"] in ("refuse", "partial"):
            if not data.get("reason"):
                errors["reason"] = ["不同意（或部分同意）须说明理由"]
            if not data.get("basis"):
                errors["basis"] = ["不同意（或部分同意）须给出法律法规或政策依据"]
        if data["decision"] == "partial" and not data.get("items"):
            errors["items"] = ["部分同意须列出同意共享的信息项"]
        if errors:
            raise ValidationError(errors)


class WithdrawSchema(WriteIdSchema):
    reason = Text("撤回原因", max_length=2000, load_default="")


class ArbitrateSchema(WriteIdSchema):
    decision = Vocab(ARBITRATION, required=True)
    opinion = Text("协调意见", max_length=4000, required=True, blank=False)
    items = fields.List(Int("应予共享的信息项", minimum=1), load_default=None, allow_none=True,
                        error_messages={"invalid": "应予共享的信息项必须是编号列表"})


class ContactSchema(ChineseSchema):
    resource = Ref("信息资源", required=True)
    contact_person = Text("联系人", max_length=100, load_default="")
    contact_phone = Text("联系电话", max_length=60, load_default="")
    interface_address = Text("接口地址", max_length=500, load_default="")


class RecordListSchema(ReadSchema):
    box = fields.String(load_default="all", validate=validate.OneOf(
        ["all", "provided", "consumed"], error="列表范围只能是 all、provided（本单位提供）或 consumed（本单位使用）"))
    status = Vocab(RECORD_STATUS)
    rows = Int("条数", minimum=0, maximum=1000, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(("id", "provider", "consumer", "resource", "start", "end", "status"))


class RevokeSchema(ChineseSchema):
    id = Int("共享记录编号", required=True, minimum=1)
    reason = Text("终止原因", max_length=2000, required=True, blank=False)


class FeedbackSchema(ChineseSchema):
    record = Int("共享记录编号", required=True, minimum=1)
    period = Text("反馈期间", max_length=20, required=True, blank=False)
    usage = Text("使用情况", max_length=4000, required=True, blank=False)
    calls = Int("调用次数", minimum=0, maximum=10**12)
    effect = Text("应用成效", max_length=4000, load_default="")


class ObjectionSchema(ChineseSchema):
    record = Int("共享记录编号", required=True, minimum=1)
    item = Int("有问题的信息项", required=True, minimum=1)
    kind = Vocab(OBJECTION_KIND, required=True)
    description = Text("问题说明", max_length=4000, required=True, blank=False)


class ObjectionAnswerSchema(ChineseSchema):
    id = Int("校核编号", required=True, minimum=1)
    result = Vocab(OBJECTION_RESULT, required=True)
    answer = Text("答复内容", max_length=4000, required=True, blank=False)


class OverdueSchema(ReadSchema):
    unit = Ref("单位")
    as_of = DateField("截止日期")


class StatsSchema(ReadSchema):
    unit = Ref("单位")
    date_from = DateField("统计起始日期")
    date_to = DateField("统计截止日期")


class InboxListSchema(ReadSchema):
    unread = fields.Boolean(load_default=False, error_messages={"invalid": "仅看未读只能是 true 或 false"})
    rows = Int("条数", minimum=0, maximum=500, load_default=50)
    start = Int("起始位置", minimum=0, load_default=0)
    sort = Sort(("created", "kind", "title", "read"))


class InboxReadSchema(ChineseSchema):
    ids = fields.List(Int("消息编号", minimum=1), load_default=None, allow_none=True,
                      error_messages={"invalid": "消息编号必须是编号列表"})
    all = fields.Boolean(load_default=False, error_messages={"invalid": "全部已读只能是 true 或 false"})


class EmailSchema(ChineseSchema):
    email = fields.Email(required=True, allow_none=True, validate=validate.Length(max=200, error="电子邮箱不能超过200个字符"),
                         error_messages={"required": "电子邮箱为必填项（留空表示不接收邮件）",
                                         "invalid": "电子邮箱格式不正确"})

    def load(self, data, *args, **kwargs):
        if isinstance(data, dict) and data.get("email") == "":
            data = {**data, "email": None}
        return super().load(data, *args, **kwargs)
