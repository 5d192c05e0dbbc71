"""The OpenAPI 3 description of the Action API, generated from the action registry and its schemas.

One operation per action: POST with a JSON body (multipart for actions taking an upload), plus GET
with query parameters for read actions. Every response is CKAN's envelope. Nothing here is written
by hand per action, so the description cannot drift from what the API accepts.
"""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify, render_template, request
from marshmallow import fields

from registry.core.actions import ACTIONS, Action, load_all

bp = Blueprint("openapi", __name__)

ERROR_TYPES = ["Validation Error", "Authorization Error", "Not Found Error", "Search Query Error", "Internal Error"]
ERROR_STATUSES = {"400": "请求无效", "403": "无权操作", "404": "对象或接口不存在", "409": "输入有误或与已有记录冲突",
                  "413": "上传内容超过大小限制"}

SUCCESS = {"type": "object", "required": ["success", "result"],
           "properties": {"help": {"type": "string"}, "success": {"type": "boolean", "enum": [True]},
                          "result": {"description": "接口结果（对象、列表、文本或数值）"}}}
ERROR = {"type": "object", "required": ["success", "error"],
         "properties": {"help": {"type": "string"}, "success": {"type": "boolean", "enum": [False]},
                        "error": {"type": "object", "required": ["__type", "message"],
                                  "properties": {"__type": {"type": "string", "enum": ERROR_TYPES},
                                                 "message": {"type": "string"}},
                                  "additionalProperties": True}}}


def _label_attributes(self, field: fields.Field, **kwargs) -> dict:
    """Our fields carry their Chinese label in metadata: show it; an open vocabulary has no enum."""
    extra: dict = {}
    label = field.metadata.get("label")
    if label:
        extra["x-label"] = label
        extra.setdefault("description", field.metadata.get("description", label))
    if field.metadata.get("open"):
        extra["x-codes"] = field.metadata.get("enum")
    if type(field).__name__ == "Ref":  # an id or a slug name
        extra["anyOf"] = [{"type": "integer"}, {"type": "string", "maxLength": 100}]
    return extra


def _is_upload(field: fields.Field) -> bool:
    return "upload" in type(field).__name__.lower()


class _Spec:
    def __init__(self):
        self.plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # inline: names repeat across packages
        self.spec = APISpec(title="云阳县政务信息资源目录与共享登记系统 接口", version="3", openapi_version="3.0.3",
                            plugins=[self.plugin],
                            info={"description": "CKAN 风格的 Action API：/api/3/action/<接口名>。"
                                                 "写操作需在 Authorization 头中提供 API 令牌。"})
        self.plugin.converter.add_attribute_function(_label_attributes)

    def body_schema(self, act: Action) -> dict:
        if act.schema is None:
            return {"type": "object", "additionalProperties": True}
        schema = self.plugin.converter.schema2jsonschema(act.schema)
        for name, field in act.schema().fields.items():
            if _is_upload(field):
                schema["properties"][field.data_key or name] = {"type": "string", "format": "binary",
                                                                "description": field.metadata.get("label", "上传文件")}
        if act.partial:  # a patch names its record; every other field is optional
            required = [name for name in schema.get("required", []) if name == "id"]
            schema.pop("required", None)
            if required:
                schema["required"] = required
        return schema

    def query_parameters(self, act: Action) -> list[dict]:
        if act.schema is None:
            return []
        params = self.plugin.converter.schema2parameters(act.schema, location="query")
        for param in params:
            if act.partial and param["name"] != "id":
                param["required"] = False
            if param["schema"].get("type") == "array":
                param.update(style="form", explode=True)
        return params

    def operation(self, act: Action, method: str) -> dict:
        summary = (act.doc.splitlines() or [act.name])[0]
        op: dict = {"operationId": f"{act.name}_{method}", "summary": summary, "description": act.doc,
                    "tags": ["查询" if act.read_only else "写入"],
                    "responses": {"200": _response("成功", SUCCESS),
                                  **{code: _response(text, ERROR) for code, text in ERROR_STATUSES.items()}}}
        if method == "get":
            op["parameters"] = self.query_parameters(act)
            return op
        body = self.body_schema(act)
        uploads = act.schema is not None and any(_is_upload(f) for f in act.schema().fields.values())
        content = {"multipart/form-data": {"schema": body}} if uploads else {"application/json": {"schema": body}}
        op["requestBody"] = {"required": True, "content": content}
        return op


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@lru_cache(maxsize=1)
def build_spec() -> dict:
    load_all()
    builder = _Spec()
    builder.spec.components.security_scheme("apiToken", {"type": "apiKey", "in": "header", "name": "Authorization"})
    for name in sorted(ACTIONS):
        act = ACTIONS[name]
        if act.internal:
            continue
        ops = {"post": builder.operation(act, "post")}
        if act.read_only:
            ops["get"] = builder.operation(act, "get")
        builder.spec.path(path=f"/api/3/action/{name}", operations=ops)
    result = builder.spec.to_dict()
    result["security"] = [{}, {"apiToken": []}]
    return result


def reference_rows() -> list[dict]:
    """For the reference page: every action with its fields (name, type, Chinese label, required)."""
    spec = build_spec()
    rows = []
    for path, ops in spec["paths"].items():
        op = ops["post"]
        content = next(iter(op["requestBody"]["content"].values()))
        schema = content["schema"]
        required = set(schema.get("required", []))
        field_rows = [{"name": key, "type": _type_text(prop), "label": prop.get("x-label", ""),
                       "required": key in required, "choices": prop.get("enum") or []}
                      for key, prop in schema.get("properties", {}).items()]
        rows.append({"name": path.rsplit("/", 1)[1], "path": path, "summary": op["summary"],
                     "doc": op["description"], "read_only": "get" in ops, "fields": field_rows,
                     "free_form": not schema.get("properties")})
    return rows


def _type_text(prop: dict) -> str:
    kind = prop.get("type") or "任意"
    if isinstance(kind, list):
        kind = "/".join(kind)
    if kind == "array":
        return f"array<{_type_text(prop.get('items', {}))}>"
    return f"{kind} ({prop['format']})" if prop.get("format") else kind


@bp.route("/api/openapi.json")
def openapi_json():
    spec = dict(build_spec())
    spec["servers"] = [{"url": request.url_root.rstrip("/")}]
    return jsonify(spec)


@bp.route("/api/docs")
def api_docs():
    return render_template("api_docs.html", actions=reference_rows(),
                           title=current_app.extensions["registry"].settings.site_title)
