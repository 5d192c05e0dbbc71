"""Click's own words in Chinese: usage, help headings, and every error message click writes.

Click marks its strings for gettext (`from gettext import gettext as _` in each module) but ships no
catalogue; `install()` gives those modules a Chinese catalogue (the table below) and Chinese names
for the parameter types and metavars. Called once by `registry.cli` before any command is defined
(some strings, e.g. click.Path's "file", are translated when the command is declared).
"""
from __future__ import annotations

import click

CATALOGUE = {
    # usage and help
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    "Do you want to continue?": "是否继续？",
    "Aborted!": "已取消。",
    "Press any key to continue...": "按任意键继续……",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "可运行“{command} {option}”查看帮助。",
    "Missing command.": "缺少子命令。",
    "No such command {name!r}.": "没有名为“{name}”的命令。",
    "No such option {name!r}.": "没有“{name}”这个选项。",
    "Did you mean {possibility}?": "是否想输入 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想输入其中之一：{possibilities}？）",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 需要 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Value must be an iterable.": "值必须是列表。",
    # types
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}（请用阿拉伯数字，如 2027）。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是有效的是/否值，可用：{states}",
    "{value!r} is not {choice}.": "“{value}”无效，只能是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”无效，只能是 {choices} 之一。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合以下任一格式：{formats}。",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，不是目录。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是目录，不是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”不可读。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”不可写。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不可执行。",
}

TYPE_NAMES = {
    click.types.StringParamType: "文本", click.types.IntParamType: "整数", click.types.FloatParamType: "数字",
    click.types.BoolParamType: "是/否", click.types.UUIDParameterType: "UUID", click.types.DateTime: "日期时间",
    click.types.IntRange: "整数范围", click.types.FloatRange: "数字范围", click.types.File: "文件名",
    click.types.FuncParamType: "文本", click.types.UnprocessedParamType: "文本",
}
ARGUMENT_METAVARS = {"system": "系统", "token_id": "令牌编号", "username": "账号", "paths": "文件或文件夹…", "archive": "备份文件",
                     "year": "年份", "file": "文件"}
OPTIONS_METAVAR = "[选项]"


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


class ChineseCommand(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


class ChineseGroup(click.Group):
    command_class = ChineseCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", "命令 [参数]…")
        super().__init__(*args, **kwargs)


ChineseGroup.group_class = ChineseGroup


def _argument_metavar(self, ctx=None):
    if self.metavar is not None:
        return self.metavar
    var = ARGUMENT_METAVARS.get(self.name, self.name)
    if not self.required:
        var = f"[{var}]"
    if self.nargs != 1 and not var.endswith("…"):
        var += "…"
    return var


def _error_hint(self, ctx) -> str:
    """--year, not '--year'; an argument by its Chinese metavar."""
    if isinstance(self, click.core.Argument):
        return self.make_metavar(ctx)
    return " / ".join(self.opts) if self.opts else str(self.human_readable_name)


def _missing_message(self) -> str:
    hint = self.param_hint
    if hint is None and self.param is not None:
        hint = self.param.get_error_hint(self.ctx)
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(hint)
    kind = self.param_type or (self.param.param_type_name if self.param is not None else "parameter")
    text = {"argument": "缺少参数", "option": "缺少选项"}.get(kind, "缺少参数") + (f" {hint}" if hint else "")
    extra = [self.message] if self.message else []
    if self.param is not None:
        choices = self.param.type.get_missing_message(param=self.param, ctx=self.ctx)
        if choices:
            extra.append(choices)
    return text + ("：" + "；".join(extra) if extra else "")


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types
    import click.utils
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                   click.types, click.utils):
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    for cls, name in TYPE_NAMES.items():
        cls.name = name
    click.core.Argument.make_metavar = _argument_metavar
    click.core.Parameter.get_error_hint = _error_hint
    click.core.Argument.get_error_hint = _error_hint
    click.exceptions.MissingParameter.format_message = _missing_message
    click.exceptions._join_param_hints = lambda hint: hint if hint is None or isinstance(hint, str) else " / ".join(hint)
    _installed = True
