"""The command line speaks Chinese: every command's help, click's own usage and error messages."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from registry.cli import main
from tests.english import english_words


def _commands(cmd=main, path=("registry",)):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, (*path, name))


COMMAND_NAMES = {part for path, _ in _commands() for name in path for part in name.split("-")}


def test_every_commands_help_is_chinese():
    runner = CliRunner()
    for path, _ in _commands():
        out = runner.invoke(main, [*path[1:], "--help"], prog_name="registry")
        assert out.exit_code == 0, (path, out.output)
        assert "用法：" in out.output and "选项" in out.output, out.output
        for english in ("Usage", "Options", "Show this message", "[OPTIONS]", "COMMAND", "ARGS", "TEXT",
                        "INTEGER", "PATH", "required", "default"):
            assert english not in out.output, (path, english, out.output)
        assert english_words(out.output, COMMAND_NAMES) == [], (path, out.output)


@pytest.mark.parametrize("args, expected", [
    (["funding-report"], "错误：缺少选项 --year"),
    (["sharing", "calendar", "set", "二〇二七", "--holidays", "2027-01-01"], "“二〇二七”不是有效的整数"),
    (["nosuch"], "没有名为“nosuch”的命令"),
    (["user", "add"], "缺少参数 账号"),
    (["user", "add", "x", "--role", "boss"], "“boss”无效，只能是"),
    (["funding-report", "--year", "2027", "--out", "r.xlsx", "--budget", "/nonexistent.xlsx"], "文件“/nonexistent.xlsx”不存在"),
    (["funding-report", "--nosuch"], "没有“--nosuch”这个选项"),
])
def test_clicks_errors_and_usage_are_chinese(args, expected):
    out = CliRunner().invoke(main, args, prog_name="registry")
    assert out.exit_code == 2, out.output
    assert expected in out.output, out.output
    assert "用法：" in out.output and "查看帮助" in out.output
    for english in ("Usage:", "Error:", "Try '", "Missing", "is not a valid", "Invalid value", "No such"):
        assert english not in out.output, out.output
    assert english_words(out.output, COMMAND_NAMES | {"boss", "nosuch", "nonexistent"}) == [], out.output


def test_serve_on_a_busy_port_says_so_in_chinese(app, monkeypatch):
    import socket
    monkeypatch.setattr("registry.app.create_app", lambda: app)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = CliRunner().invoke(main, ["serve", "--port", str(port)], prog_name="registry")
    assert out.exit_code == 1
    assert f"无法在 127.0.0.1:{port} 上启动服务：端口已被其他程序占用" in out.output
    assert "Traceback" not in out.output and "Address already in use" not in out.output
