"""What no input may hold, checked once for every entry point (API, pages, CLI) before an action runs:
NUL characters (no text column stores them; PostgreSQL refuses them), lone UTF-16 surrogates (they
cannot be encoded as UTF-8, so no database or response can carry them) and nesting deeper than any
action reads. The walk is iterative, so a hostile depth cannot exhaust the stack."""
from __future__ import annotations

from registry.core.errors import ValidationFailed

MAX_DEPTH = 32


def input_problem(value) -> str | None:
    """A Chinese reason the input is refused, or None."""
    stack = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"请求的嵌套层数过多（最多 {MAX_DEPTH} 层）"
        if isinstance(current, str):
            reason = text_problem(current)
            if reason:
                return reason
        elif isinstance(current, dict):
            stack.extend((k, depth + 1) for k in current)
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend((v, depth + 1) for v in current)
    return None


def text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "输入中含有不允许的空字符（\\0）"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "输入中含有无效的 Unicode 字符（单独的代理码位），请检查文本编码"
    return None


def check_input(data) -> None:
    reason = input_problem(data)
    if reason:
        raise ValidationFailed({"message": [reason]}, "请求格式错误")
