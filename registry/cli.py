"""The `registry` command. Every command calls the same actions as the pages and the API."""
from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass

import click

from registry.config import Settings
from registry.errors import RegistryError


@dataclass
class CliActor:
    """The operator at the terminal: acts with admin rights, logged as cli:<os user>."""

    id: None = None
    role: str = "admin"
    unit_id: None = None
    active: bool = True

    @property
    def username(self) -> str:
        return f"cli:{getpass.getuser()}"


def make_registry():
    from pathlib import Path

    from registry.runtime import Registry
    settings = Settings.from_env().with_default_instance()
    Path(settings.instance_path).mkdir(parents=True, exist_ok=True)
    return Registry.from_settings(settings)


def fail(message: str) -> None:
    click.secho(f"错误：{message}", fg="red", err=True)
    sys.exit(1)


@click.group(help="云阳县政务信息资源目录与共享登记系统 命令行工具")
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
        from registry.db import Base
        from registry.plugins_models import import_all_models
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
    from waitress import serve as waitress_serve

    from registry.app import create_app
    app = create_app()
    click.echo(f"服务已启动：http://{host}:{port}/  （Ctrl+C 停止）")
    waitress_serve(app, host=host, port=port, threads=threads)


@main.group(help="账号管理。")
def user() -> None:
    pass


@user.command("add", help="新增账号。角色：department（须 --unit）、bureau、finance、reviewer、admin。")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["department", "bureau", "finance", "reviewer", "admin"]))
@click.option("--unit", help="所属单位代码（部门用户必填）")
@click.option("--name", "display_name", default="", help="姓名")
@click.option("--password", help="密码（不填则提示输入）")
@click.pass_context
def user_add(ctx, username, role, unit, display_name, password) -> None:
    password = password or click.prompt("密码", hide_input=True, confirmation_prompt=True)
    result = run_cli(ctx, "user_create", {"username": username, "password": password, "role": role,
                                          "unit": unit, "display_name": display_name})
    click.echo(f"已创建账号 {result['username']}（{role}）")


@main.group(help="API 令牌管理。")
def token() -> None:
    pass


@token.command("create", help="为账号创建 API 令牌（只显示一次，请妥善保存）。")
@click.argument("username")
@click.option("--name", default="", help="令牌用途说明")
@click.pass_context
def token_create(ctx, username, name) -> None:
    result = run_cli(ctx, "api_token_create", {"user": username, "name": name})
    click.echo(result["token"])


def run_cli(ctx: click.Context, name: str, data: dict):
    reg = get_registry(ctx)
    try:
        return reg.run_action(name, CliActor(), {k: v for k, v in data.items() if v is not None})
    except RegistryError as exc:
        fail(exc.message)


def _register_commands() -> None:
    import importlib

    from registry.modules import CLI_MODULES
    for name in CLI_MODULES:
        importlib.import_module(name).register(main)


_register_commands()
