"""HTML error pages (never a stack trace)."""
from __future__ import annotations

from flask import render_template

MESSAGES = {400: "请求无效", 403: "无权访问", 404: "页面不存在", 405: "不支持该请求方法",
            413: "上传文件超过大小限制", 500: "服务器内部错误"}


def html_error(status: int, detail=None):
    message = detail if isinstance(detail, str) else MESSAGES.get(status, "请求无效")
    own = getattr(detail, "description", None)  # abort(403, "只能修改本单位的…"): the reason the page gave
    if isinstance(own, str) and own != getattr(type(detail), "description", None) and not own.isascii():
        message = own
    if status == 400 and detail is not None and "CSRF" in str(getattr(detail, "description", "")):
        message = "页面已过期（安全校验失败），请刷新页面后重试"
    return render_template("error.html", status=status, message=message), status
