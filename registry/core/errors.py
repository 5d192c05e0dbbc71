"""The error hierarchy services raise; one handler turns it into HTTP (see registry.api).

Messages are Chinese and written where the error is raised, because that is where the reason
is known. `__type` strings are CKAN's exact ones: ckanapi picks its exception class from them.
"""
from __future__ import annotations


class RegistryError(Exception):
    status = 400
    ckan_type = "Validation Error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def error_dict(self) -> dict:
        return {"__type": self.ckan_type, "message": self.message}


class NotFound(RegistryError):
    status = 404
    ckan_type = "Not Found Error"


class NotAuthorized(RegistryError):
    status = 403
    ckan_type = "Authorization Error"


# The Chinese name of every input field key a message may be about: the one place that turns a key
# (reason, basis, q, sharing_type …) into words a user reads. Messages never show the key itself.
FIELD_LABELS = {
    "message": "", "reason": "理由", "basis": "依据", "q": "搜索词", "fq": "筛选条件", "sharing_type": "共享类型",
    "decision": "结论", "items": "信息项", "item": "信息项", "note": "说明", "opinion": "意见", "title": "名称",
    "name": "名称", "unit": "单位", "system": "信息系统", "resource": "信息资源", "into": "整合至的信息系统",
    "year": "年度", "amount_yuan": "金额", "version": "版本", "period_start": "共享起始日期",
    "period_end": "共享截止日期", "purpose": "用途", "scenario": "应用场景", "sharing_method": "共享方式",
    "requester_system": "申请使用的信息系统", "interface_address": "接口地址", "contact_person": "联系人",
    "contact_phone": "联系电话", "email": "邮件地址", "ids": "消息", "finding": "重复采集线索",
    "must_reuse_from": "应复用数据的提供方系统", "transition": "操作", "kind": "类型", "result": "结论",
    "issued_on": "出具日期", "valid_until": "有效期至", "valid_from": "有效期起", "decided_on": "决定日期",
    "upload": "上传文件", "estimate_yuan": "经费估算", "declared_on": "申报日期", "systems": "信息系统",
    "predecessor": "前期项目", "contractor": "承建单位", "accepted_on": "验收日期", "rectify_by": "整改期限",
    "requested_until": "申请延期至", "username": "用户名", "user": "用户", "parent": "上级主管单位",
    "sort": "排序", "rows": "每页条数", "start": "起始位置", "period": "反馈期间", "usage": "使用情况",
    "calls": "调用次数", "description": "说明", "answer": "答复内容", "role": "角色", "status": "状态",
}


def field_label(key: str) -> str:
    """items.2.data_type → 信息项第3行; an unknown key stays as it is (API clients need it)."""
    parts = str(key).split(".")
    if len(parts) >= 2 and parts[1].isdecimal():
        return f"{FIELD_LABELS.get(parts[0], parts[0])}第{int(parts[1]) + 1}行"
    return FIELD_LABELS.get(str(key), str(key))


def describe(key: str, message) -> str:
    """One field's message as a user reads it: the field's Chinese name first unless the message names it."""
    message = str(message)
    label = field_label(key)
    if not label or label in message or message.startswith(label):
        return message
    if label == key and key.isascii() and message != "未知字段":
        return message  # a key we have no name for: the message alone (it is written in Chinese)
    return f"{label}：{message}"


class ValidationFailed(RegistryError):
    """Field → list of Chinese messages."""

    status = 409
    ckan_type = "Validation Error"

    def __init__(self, errors: dict[str, list[str]] | str, message: str = "输入有误"):
        if isinstance(errors, str):
            errors = {"message": [errors]}
        self.errors = errors
        detail = "；".join(describe(k, m) for k, v in errors.items() for m in (v if isinstance(v, list) else [v]))
        super().__init__(f"{message}：{detail}" if detail else message)

    def error_dict(self) -> dict:
        body = {"__type": self.ckan_type, "message": self.message}
        for key, value in self.errors.items():
            if key not in ("__type", "message"):
                body[key] = value
        return body


class Conflict(RegistryError):
    """A concurrent change or a state that forbids the write."""

    status = 409
    ckan_type = "Validation Error"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details or {}

    def error_dict(self) -> dict:
        body = {"__type": self.ckan_type, "message": self.message, "conflict": [self.message]}
        if self.details:
            body["changes"] = self.details
        return body


class SearchQueryError(RegistryError):
    status = 400
    ckan_type = "Search Query Error"
