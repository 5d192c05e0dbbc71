"""One schema per entity and purpose; the API, web forms and importers all load through these."""
from __future__ import annotations

import copy
import re

from marshmallow import EXCLUDE, fields, missing, pre_load, validate, validates_schema, ValidationError

from catalog_schema import vocabularies as vocab
from catalog_schema.fields import Bool, ChineseSchema, Int, Ref, Slug, Text, TextList, Vocab

MAX_DATA_LENGTH = 1_000_000


class UnitSchema(ChineseSchema):
    code = Slug("单位代码", required=True)
    name = Text("单位名称", max_length=200, required=True, blank=False)
    kind = Vocab(vocab.UNIT_KIND, load_default="department")
    parent = Ref("上级主管单位")
    description = Text("说明", max_length=2000, load_default="")


class SystemSchema(ChineseSchema):
    unit = Ref("所属单位", required=True)
    code = Slug("系统代码")
    name = Text("系统名称", max_length=200, required=True, blank=False)
    aliases = TextList("系统别名")
    description = Text("系统说明", max_length=4000, load_default="")
    status = Vocab(vocab.SYSTEM_STATUS, load_default="running")
    network = Vocab(vocab.NETWORK, load_default="egov")


# What `package_show` returns besides the writable fields: a CKAN client (`ckanapi load`) sends a
# dataset back as it read it, so a package write ignores these (any other unknown key is refused).
PACKAGE_READ_ONLY = frozenset((
    "type", "state", "private", "owner_org", "organization", "groups", "system_name", "unit_name",
    "format_class_label", "format_type_label", "sharing_type_label", "sharing_method_label",
    "update_cycle_label", "nonstandard_fields", "num_items", "resources", "num_resources", "tags", "extras",
    "metadata_created", "metadata_modified"))
ITEM_READ_ONLY = frozenset(("id", "resource_id", "data_type_label", "data_type_standard", "version"))


def _without(data, keys: frozenset) -> dict:
    return {k: v for k, v in data.items() if k not in keys} if isinstance(data, dict) else data


class ItemSchema(ChineseSchema):
    name = Text("信息项名称", max_length=200, required=True, blank=False)
    data_type = Vocab(vocab.DATA_TYPE)
    data_length = Int("数据长度", minimum=1, maximum=MAX_DATA_LENGTH)
    sharing_type = Vocab(vocab.SHARING_TYPE)
    position = Int("排序", minimum=0, maximum=100_000)


class ItemCreateSchema(ItemSchema):
    resource = Ref("所属信息资源", required=True)


class ResourceSchema(ChineseSchema):
    """An information resource (CKAN: a package). `title` is the 信息资源名称."""

    system = Ref("所属系统", required=True)
    name = Slug("资源标识")
    title = Text("信息资源名称", max_length=200, required=True, blank=False)
    resource_code = Text("资源代码", max_length=100)
    format_class = Vocab(vocab.FORMAT_CLASS)
    format_type = Vocab(vocab.FORMAT_TYPE)
    sharing_type = Vocab(vocab.SHARING_TYPE, required=True)
    sharing_method = Vocab(vocab.SHARING_METHOD)
    open_to_public = Bool("是否向社会开放", load_default=False)
    open_conditions = Text("开放条件", max_length=2000, load_default="")
    update_cycle = Vocab(vocab.UPDATE_CYCLE)
    description = Text("资源摘要", max_length=4000, load_default="")
    items = fields.List(fields.Nested(ItemSchema), load_default=None, allow_none=True,
                        error_messages={"invalid": "信息项必须是列表"})

    @pre_load
    def _ckan_read_shape(self, data, **kwargs):
        """A dataset as package_show returns it: read-only keys dropped, CKAN's `notes` is the
        description, `system_id` the system."""
        if not isinstance(data, dict):
            return data
        data = _without(data, PACKAGE_READ_ONLY)
        if "notes" in data:
            notes = data.pop("notes")
            data.setdefault("description", notes if notes is not None else "")
        if "system_id" in data:
            data.setdefault("system", data.pop("system_id"))
            data.pop("system_id", None)
        if isinstance(data.get("items"), list):
            data["items"] = [_without(item, ITEM_READ_ONLY) for item in data["items"]]
        return data

    @validates_schema
    def _check(self, data, **kwargs):
        if data.get("sharing_type") in ("unconditional", "conditional") and "sharing_method" in data \
                and not data.get("sharing_method"):
            raise ValidationError("可共享的信息资源须填写共享方式", "sharing_method")
        names = [i["name"] for i in data.get("items") or []]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValidationError(f"信息项名称重复：{'、'.join(repeated)}", "items")


class IdSchema(ChineseSchema):
    id = Ref("编号", required=True)


class VersionedIdSchema(IdSchema):
    version = Int("版本号", minimum=1)


def update_schema(base: type[ChineseSchema], name: str) -> type[ChineseSchema]:
    """`<entity>_update`/`_patch` input: the entity's fields plus id and optional version.

    The owner reference (unit of a system, system of a resource) is optional here: a record
    keeps its owner, and the action refuses a different one."""
    owners = {key: Ref(field.metadata["label"]) for key, field in base._declared_fields.items()
              if key in ("unit", "system")}
    # no input defaults: a whole-record save (`*_update`) takes the catalog store's defaults for
    # what it leaves out, and the store can tell a field left out (a merged system stays merged)
    undefaulted = {}
    for key, field in base._declared_fields.items():
        if key not in owners and field.load_default is not missing:
            undefaulted[key] = copy.copy(field)
            undefaulted[key].load_default = missing
    return type(name, (base, VersionedIdSchema), {**undefaulted, **owners})


UnitUpdateSchema = update_schema(UnitSchema, "UnitUpdateSchema")
SystemUpdateSchema = update_schema(SystemSchema, "SystemUpdateSchema")
ResourceUpdateSchema = update_schema(ResourceSchema, "ResourceUpdateSchema")
ItemUpdateSchema = update_schema(ItemSchema, "ItemUpdateSchema")


class ReadSchema(ChineseSchema):
    """Reads ignore unknown keys: ckanapi's dump sends include_private and the like."""

    class Meta:
        unknown = EXCLUDE


USERNAME_MIN, USERNAME_MAX = 2, 60      # user_account.username is VARCHAR(60)
PASSWORD_MIN, PASSWORD_MAX = 8, 200
USERNAME = re.compile(r"^[^\s\x00-\x1f\x7f]*$")  # no spaces or control characters: the login form trims


def Username(**kw) -> fields.String:
    """An account name: 2–60 characters, no spaces (marshmallow validators must raise, not return False)."""
    return fields.String(required=True, validate=[
        validate.Length(min=USERNAME_MIN, max=USERNAME_MAX, error=f"用户名须为 {USERNAME_MIN}–{USERNAME_MAX} 个字符"),
        validate.Regexp(USERNAME, error="用户名不能包含空格或控制字符")],
        error_messages={"required": "用户名为必填项", "null": "用户名为必填项", "invalid": "用户名必须是文本"}, **kw)


def Password(label: str = "密码", **kw) -> fields.String:
    """A new password: 8–200 characters (argon2 hashes any length; the cap bounds the work per login)."""
    return fields.String(required=True, load_only=True, validate=validate.Length(
        min=PASSWORD_MIN, max=PASSWORD_MAX, error=f"{label}须为 {PASSWORD_MIN}–{PASSWORD_MAX} 个字符"),
        error_messages={"required": f"{label}为必填项", "null": f"{label}为必填项", "invalid": f"{label}必须是文本"},
        **kw)


class UserCreateSchema(ChineseSchema):
    username = Username()
    password = Password()
    role = Vocab(vocab.ROLE, required=True)
    unit = Ref("所属单位")
    display_name = Text("姓名", max_length=100, load_default="")

    @validates_schema
    def _department_needs_unit(self, data, **kwargs):
        if data.get("role") == "department" and not data.get("unit"):
            raise ValidationError("部门用户必须绑定所属单位", "unit")
