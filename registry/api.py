"""The CKAN-style Action API: /api/action/<name> and /api/3/action/<name>, GET and POST.

One handler turns every error into CKAN's envelope; an unexpected error is logged with a
request id and the client gets only that id, never a stack trace.
"""
from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import lru_cache

from flask import Blueprint, Flask, current_app, g, jsonify, request
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException

from registry.core.errors import NotAuthorized, NotFound, RegistryError, ValidationFailed
from registry.core.actions import get_action
from registry.core.inputs import check_input
from registry.accounts.models import ApiToken, User
from registry.core.security import hash_token
from registry.core.db import utcnow

log = logging.getLogger("registry.api")
bp = Blueprint("api", __name__)
LAST_USED_RESOLUTION = timedelta(minutes=1)  # a token's last use is kept to the minute, not per request


def _help_url(name: str) -> str:
    return request.url_root.rstrip("/") + f"/api/3/action/help_show?name={name}"


def envelope_error(exc: RegistryError, name: str = ""):
    body = {"help": _help_url(name), "success": False, "error": exc.error_dict()}
    return jsonify(body), exc.status


def read_params() -> dict:
    """The request's parameters, refusing what no input may hold (registry.core.inputs: NUL, lone
    surrogates, deep nesting)."""
    data = _read_params()
    check_input(data)
    return data


def _read_params() -> dict:
    """GET: the query string (repeated keys become lists). POST: a JSON object body, or a form."""
    if request.method == "GET":
        data: dict = {}
        for key in request.args:
            values = request.args.getlist(key)
            data[key] = values if len(values) > 1 else values[0]
        return data
    if request.mimetype == "multipart/form-data":  # an upload: its files (FileStorage) beside the fields
        return {**request.form.to_dict(), **request.files.to_dict()}
    raw = request.get_data(cache=True)
    if request.mimetype == "application/json" or (raw and raw.lstrip()[:1] in (b"{", b"[")):
        if not raw.strip():
            return dict(request.args)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep to parse
            raise ValidationFailed({"message": ["请求体不是有效的 JSON"]}, "请求格式错误") from None
        if not isinstance(body, dict):
            raise ValidationFailed({"message": ["请求体必须是 JSON 对象"]}, "请求格式错误")
        return body
    return {k: v for k, v in request.form.items()}


class MethodRefused(RegistryError):
    status = 405
    ckan_type = "Validation Error"


def token_user_id(session) -> int | None:
    """The user of the API token in Authorization (raw or Bearer) or X-CKAN-API-Key."""
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    if not raw:
        return None
    token = session.execute(select(ApiToken.id, ApiToken.user_id, ApiToken.revoked, ApiToken.expires,
                                   ApiToken.last_used, User.active)
                            .join(User, User.id == ApiToken.user_id)
                            .where(ApiToken.token_hash == hash_token(raw))).one_or_none()  # one query per call
    if token is None or token.revoked or not token.active:
        raise NotAuthorized("API 令牌无效或已停用")
    if token.expires is not None and token.expires <= utcnow():
        raise NotAuthorized("API 令牌已过期，请重新创建")
    if token.last_used is None or utcnow() - token.last_used > LAST_USED_RESOLUTION:
        g.registry_touch_token = token.id  # written in its own short write transaction (see action_view)
    return token.user_id


@bp.route("/api/action/<name>", methods=["GET", "POST"])
@bp.route("/api/3/action/<name>", methods=["GET", "POST"])
def action_view(name: str):
    reg = current_app.extensions["registry"]
    try:
        if get_action(name).internal:
            raise NotFound(f"没有名为“{name}”的接口")
        data = read_params()
        if request.method == "GET" and not get_action(name).read_only:
            raise MethodRefused(f"“{name}”会修改数据，须用 POST 提交（GET 只用于查询，以免内容留在网址和代理日志中）")
        with reg.db.unit_of_work() as session:
            user_id = token_user_id(session)
        if user_id is None and get_action(name).read_only and g.get("user") is not None:
            # a page's own script reading (the provider hint of the resource form): as the logged-in
            # user of the session cookie, so it sees what its pages see. Reads only: a write needs a
            # token (the cookie alone would be a cross-site request forgery risk).
            user_id = g.user.id
        touch = g.pop("registry_touch_token", None)
        if touch is not None:
            with reg.db.unit_of_work(write=True) as session:
                session.execute(update(ApiToken).where(ApiToken.id == touch).values(last_used=utcnow()))
        result = reg.run_action(name, user_id, data)
    except RegistryError as exc:
        return envelope_error(exc, name)
    return jsonify({"help": _help_url(name), "success": True, "result": string_ids(result)})


def string_ids(value):
    """CKAN's ids are strings and its clients key records on them: every `id`, `…_id`, `owner_org`
    and record reference (`REFERENCE_KEYS`) the API returns is the record's id as a decimal string (the database's own key, so
    the same after a backup and restore). Every action accepts it wherever an id or a name goes.
    Pages and the CLI call the actions directly and keep integers."""
    if isinstance(value, list):
        return [string_ids(v) if isinstance(v, (list, dict)) else v for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if type(v) is int and _is_id_key(k):   # (type, not isinstance: a bool is no id)
                out[k] = str(v)
            elif isinstance(v, (list, dict)):
                out[k] = string_ids(v)
            else:
                out[k] = v
        return out
    return value


# Keys not shaped like ids whose integer is a record's id (a sharing draft's `resource`, a project
# check's `project` …); tests/test_api_string_ids.py walks every read action on the demo county and
# fails on an integer under any key that is not a quantity, so a new one is added here.
REFERENCE_KEYS = frozenset({"resource", "requester_system", "finding", "project", "run", "record", "request",
                            "line", "item", "system", "unit", "must_reuse_from", "into", "predecessor"})


@lru_cache(maxsize=4096)   # a search page asks about the same few dozen keys thousands of times
def _is_id_key(key) -> bool:
    return isinstance(key, str) and (key == "id" or key.endswith("_id") or key == "owner_org" or key in REFERENCE_KEYS)


@bp.route("/api/3/action/help_show", methods=["GET", "POST"])
@bp.route("/api/action/help_show", methods=["GET", "POST"])
def help_show():
    try:
        name = read_params().get("name") or ""
        act = get_action(str(name))
        if act.internal:
            raise NotFound(f"没有名为“{name}”的接口")
    except RegistryError as exc:
        return envelope_error(exc, "help_show")
    return jsonify({"help": _help_url("help_show"), "success": True, "result": act.doc})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.errorhandler(RegistryError)
    def _registry_error(exc: RegistryError):
        return envelope_error(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            messages = {404: "接口不存在", 405: "不支持该请求方法", 413: "上传内容超过大小限制"}
            error = {"__type": "Not Found Error" if exc.code == 404 else "Validation Error",
                     "message": messages.get(exc.code, "请求无效")}
            return jsonify({"success": False, "error": error}), exc.code
        from registry.web.errors import html_error
        return html_error(exc.code, exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from registry.core.logs import current_request_id
        request_id = current_request_id()  # the X-Request-Id of this response and of its log lines
        log.exception("unhandled error, request %s", request_id)
        message = f"服务器内部错误，请联系管理员（请求编号 {request_id}）"
        if request.path.startswith("/api/"):
            return jsonify({"success": False, "error": {"__type": "Internal Error", "message": message}}), 500
        from registry.web.errors import html_error
        return html_error(500, message)
