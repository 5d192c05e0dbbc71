"""The `registry` command. Every command calls the same actions as the pages and the API."""
from __future__ import annotations

import getpass
import sys
import click

from registry.cli_zh import ChineseGroup, install
from registry.core.actions import Operator, Progress
from registry.core.config import Settings
from registry.core.errors import RegistryError

install()  # click's own words (usage, help headings, errors) in Chinese, before any command is declared


def CliActor() -> Operator:  # noqa: N802  (called like the class it was)
    """The operator at the terminal: acts with admin rights, logged as cli:<os user>."""
    return Operator(f"cli:{getpass.getuser()}")


class BarProgress(Progress):
    """An action's progress as a bar on stderr (the terminal's output stays the result)."""

    def __init__(self):
        self.bar = None

    def start(self, total: int, label: str) -> None:
        self.close()
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
        self.bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def note(self, text: str) -> None:
        click.echo(text, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def make_registry():
    from pathlib import Path

    from registry.core.runtime import Registry
    settings = Settings.from_env().with_default_instance()
    Path(settings.instance_path).mkdir(parents=True, exist_ok=True)
    return Registry.from_settings(settings)


def fail(message: str) -> None:
    click.secho(f"错误：{message}", fg="red", err=True)
    sys.exit(1)


@click.group(cls=ChineseGroup, help="云阳县政务信息资源目录与共享登记系统 命令行工具",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    ctx.obj = None


def get_registry(ctx: click.Context):
    if ctx.obj is None:
        ctx.obj = make_registry()
    return ctx.obj


@main.command(help="创建或升级数据库（执行全部迁移）。")
@click.pass_context
def init(ctx) -> None:
    from registry.migrate import upgrade
    reg = get_registry(ctx)
    upgrade(reg.settings.resolved_database_url())
    click.echo(f"数据库已就绪：{_safe_url(reg.settings.resolved_database_url())}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


@main.command(help="载入演示数据（云阳县示例单位、系统、信息资源和演示账号）。已有数据时跳过。")
@click.option("--reset", is_flag=True, help="先清空数据库再载入（会删除全部数据！）")
@click.pass_context
def demo(ctx, reset: bool) -> None:
    from registry.demo import load_demo
    from registry.migrate import upgrade
    reg = get_registry(ctx)
    if reset:
        from registry.core.db import Base
        from registry.core.plugins_models import import_all_models
        import_all_models()
        Base.metadata.drop_all(reg.db.engine)
        with reg.db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(reg.settings.resolved_database_url())
    summary = load_demo(reg, progress=lambda msg: click.echo(msg))
    click.echo(summary)


@main.command(help="启动网页和接口服务（waitress）。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=5000, show_default=True, type=int, help="端口")
@click.option("--threads", default=8, show_default=True, type=int, help="工作线程数")
def serve(host: str, port: int, threads: int) -> None:
    from registry.app import create_app
    app = create_app()
    try:
        from waitress.server import create_server
        server = create_server(app, host=host, port=port, threads=threads)
    except OSError as exc:
        import errno
        why = {errno.EADDRINUSE: "端口已被其他程序占用，请用 --port 换一个端口",
               errno.EACCES: "没有使用该端口的权限（1024 以下的端口需要管理员权限），请用 --port 换一个端口",
               errno.EADDRNOTAVAIL: "本机没有这个地址，请检查 --host"}.get(exc.errno, "请检查 --host 和 --port")
        fail(f"无法在 {host}:{port} 上启动服务：{why}")
    click.echo(f"服务已启动：http://{host}:{port}/  （Ctrl+C 停止）")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("服务已停止")


@main.group(help="账号管理。")
def user() -> None:
    pass


@user.command("add", help="新增账号。角色：department（须 --unit）、bureau、finance、reviewer、admin。")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["department", "bureau", "finance", "reviewer", "admin"]))
@click.option("--unit", help="所属单位代码（部门用户必填）")
@click.option("--name", "display_name", default="", help="姓名")
@click.option("--password", help="密码（不填则提示输入）")
@click.option("--temporary", is_flag=True, help="初始密码：要求首次登录时修改")
@click.pass_context
def user_add(ctx, username, role, unit, display_name, password, temporary) -> None:
    password = password or click.prompt("密码", hide_input=True, confirmation_prompt=True)
    result = run_cli(ctx, "user_create", {"username": username, "password": password, "role": role,
                                          "unit": unit, "display_name": display_name,
                                          "must_change_password": temporary})
    click.echo(f"已创建账号 {result['username']}（{role}）")


@user.command("list", help="列出全部账号。")
@click.pass_context
def user_list(ctx) -> None:
    for row in run_cli(ctx, "user_list", {}):
        state = "启用" if row["active"] else "已停用"
        extra = "（须修改密码）" if row["must_change_password"] else ""
        click.echo(f"{row['username']}\t{row['role_label']}\t{row['unit'] or ''}\t{state}{extra}")


@user.command("passwd", help="重置账号密码（该账号已登录的会话全部失效）。默认要求其下次登录时修改密码。")
@click.argument("username")
@click.option("--password", help="新密码（不填则提示输入）")
@click.option("--keep/--force-change", "keep", default=False,
              help="--keep：不要求下次登录修改密码（例如为自己设置最终密码）")
@click.pass_context
def user_passwd(ctx, username, password, keep) -> None:
    password = password or click.prompt("新密码", hide_input=True, confirmation_prompt=True)
    result = run_cli(ctx, "user_password_reset", {"user": username, "password": password,
                                                  "must_change_password": not keep})
    note = "，下次登录须修改密码" if result["must_change_password"] else ""
    click.echo(f"已重置账号 {result['username']} 的密码{note}")


@user.command("deactivate", help="停用账号：不能再登录，会话和 API 令牌立即失效。")
@click.argument("username")
@click.pass_context
def user_deactivate(ctx, username) -> None:
    result = run_cli(ctx, "user_deactivate", {"user": username})
    click.echo(f"已停用账号 {result['username']}")


@user.command("activate", help="重新启用已停用的账号。")
@click.argument("username")
@click.pass_context
def user_activate(ctx, username) -> None:
    result = run_cli(ctx, "user_activate", {"user": username})
    click.echo(f"已启用账号 {result['username']}")


@main.group(help="API 令牌管理。")
def token() -> None:
    pass


@token.command("create", help="为账号创建 API 令牌（只显示一次，请妥善保存）。账号按用户名查找。")
@click.argument("username")
@click.option("--name", default="", help="令牌用途说明")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="有效天数（不填则长期有效，直到吊销）")
@click.pass_context
def token_create(ctx, username, name, days) -> None:
    result = run_cli(ctx, "api_token_create", {"user": username, "name": name, "expires_in_days": days})
    click.echo(result["token"])


@token.command("list", help="列出账号的 API 令牌（不显示令牌本身）。")
@click.argument("username")
@click.pass_context
def token_list(ctx, username) -> None:
    states = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}
    for row in run_cli(ctx, "api_token_list", {"user": username}):
        click.echo(f"{row['id']}\t{row['name'] or '（未命名）'}\t{states[row['state']]}\t"
                   f"创建 {row['created'][:16]}\t到期 {(row['expires'] or '长期')[:16]}\t"
                   f"最近使用 {(row['last_used'] or '从未')[:16]}")


@token.command("revoke", help="吊销 API 令牌（按 token list 显示的编号），立即失效。")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx, token_id) -> None:
    result = run_cli(ctx, "api_token_revoke", {"id": token_id})
    click.echo(f"已吊销账号 {result['user']} 的令牌 {result['id']}")


def run_cli(ctx: click.Context, name: str, data: dict):
    """Run an action as the terminal's operator, its progress shown as a bar."""
    reg = get_registry(ctx)
    progress = BarProgress()
    try:
        return reg.run_action(name, CliActor(), {k: v for k, v in data.items() if v is not None}, progress)
    except RegistryError as exc:
        progress.close()
        fail(exc.message)
    finally:
        progress.close()


def _register_commands() -> None:
    import importlib

    from registry.modules import CLI_MODULES
    for name in CLI_MODULES:
        importlib.import_module(name).register(main)


_register_commands()
