"""marshmallow fields whose every message is Chinese and names the field (its `label`)."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from catalog_schema import vocabularies as vocab

SLUG = re.compile(r"^[a-z0-9_-]{2,100}$")
MAX_DB_INT = 2_147_483_647  # PostgreSQL INTEGER: ids, offsets and counts beyond it cannot be stored or found


def is_db_id(value) -> bool:
    """An integer a primary key can hold (auth functions see raw input, before the schema)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DB_INT


class ChineseSchema(Schema):
    """Refuses unknown fields (on writes) with a Chinese message."""

    error_messages = {"unknown": "未知字段", "type": "输入必须是一个 JSON 对象"}


class NoInput(ChineseSchema):
    """The input of a write action that takes none (scan, reindex, demo load)."""


def _messages(label: str, **extra: str) -> dict[str, str]:
    base = {"required": f"{label}为必填项", "null": f"{label}不能为空",
            "validator_failed": f"{label}的值无效", "invalid": f"{label}的格式不正确"}
    base.update(extra)
    return base


class Text(fields.String):
    def __init__(self, label: str, max_length: int = 200, required: bool = False, blank: bool = True, **kw):
        checks = [validate.Length(max=max_length, error=f"{label}不能超过{max_length}个字符")]
        if not blank:
            checks.append(validate.Length(min=1, error=f"{label}不能为空"))
        kw.setdefault("allow_none", not required)
        super().__init__(required=required, validate=checks,
                         error_messages=_messages(label, invalid=f"{label}必须是文本"),
                         metadata={"label": label}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        return vocab.trim(super()._deserialize(value, attr, data, **kwargs))


class Slug(fields.String):
    def __init__(self, label: str, required: bool = False, **kw):
        super().__init__(required=required, allow_none=not required,
                         validate=validate.Regexp(SLUG, error=f"{label}只能由 2–100 位小写字母、数字、- 或 _ 组成"),
                         error_messages=_messages(label, invalid=f"{label}必须是文本"),
                         metadata={"label": label}, **kw)


class Int(fields.Integer):
    def __init__(self, label: str, required: bool = False, minimum: int | None = None,
                 maximum: int | None = None, **kw):
        if maximum is None:
            maximum = MAX_DB_INT
        if minimum is None:
            minimum = -MAX_DB_INT
        checks = [validate.Range(min=minimum, max=maximum, error=f"{label}必须在 {minimum} 到 {maximum} 之间")]
        kw.setdefault("allow_none", not required)
        super().__init__(required=required, strict=False, validate=checks,
                         error_messages=_messages(label, invalid=f"{label}必须是整数",
                                                  too_large=f"{label}数值过大"),
                         metadata={"label": label}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except OverflowError:  # int(1e999): infinity has no integer
            raise self.make_error("too_large") from None


class Bool(fields.Boolean):
    """Accepts true/false and the form's 是/否 (and Y/N)."""

    def __init__(self, label: str, required: bool = False, **kw):
        kw.setdefault("allow_none", not required)
        super().__init__(required=required, error_messages=_messages(label, invalid=f"{label}只能填“是”或“否”"),
                         metadata={"label": label}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            code = vocab.OPEN_TO_PUBLIC.normalize(value)
            if code is not None:
                return code == "yes"
        return super()._deserialize(value, attr, data, **kwargs)


class Vocab(fields.String):
    """A vocabulary value: any accepted spelling in, the code (or non-standard text) out."""

    def __init__(self, vocabulary: vocab.Vocabulary, required: bool = False, **kw):
        self.vocabulary = vocabulary
        kw.setdefault("allow_none", not required)
        super().__init__(required=required,
                         error_messages=_messages(vocabulary.label, invalid=f"{vocabulary.label}必须是文本"),
                         metadata={"label": vocabulary.label, "enum": vocabulary.codes,
                                   "open": vocabulary.open}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not vocab.clean(text):
            if self.required:
                raise ValidationError(f"{self.vocabulary.label}为必填项")
            return None
        if len(text) > 30:
            raise ValidationError(f"{self.vocabulary.label}不能超过30个字符")
        try:
            return self.vocabulary.resolve(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class TextList(fields.List):
    def __init__(self, label: str, max_items: int = 20, **kw):
        super().__init__(Text(label, max_length=200), load_default=list,
                         validate=validate.Length(max=max_items, error=f"{label}最多 {max_items} 个"),
                         error_messages=_messages(label, invalid=f"{label}必须是列表"),
                         metadata={"label": label}, **kw)


class Ref(fields.Raw):
    """A reference to a record by id (integer) or by its slug name."""

    def __init__(self, label: str, required: bool = False, **kw):
        kw.setdefault("allow_none", not required)
        super().__init__(required=required, error_messages=_messages(label), metadata={"label": label}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValidationError(f"{self.metadata['label']}必须是编号或名称")
        if isinstance(value, str):
            value = value.strip()
            if value.isascii() and value.isdecimal():
                value = int(value)
            elif not value or len(value) > 100:
                raise ValidationError(f"{self.metadata['label']}必须是编号或名称")
        if isinstance(value, int) and not 0 <= value <= MAX_DB_INT:
            raise ValidationError(f"{self.metadata['label']}编号超出范围")
        return value
