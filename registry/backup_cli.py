"""`registry backup --out FILE` and `registry restore FILE` (see registry.backup for the format)."""
from __future__ import annotations

from pathlib import Path

import click


def register(main: click.Group) -> None:
    @main.command(help="备份：把全部数据（每张表）和上传的证明材料文件写入一个备份文件（zip，含清单和 SHA-256 校验和）。"
                       "备份在一个一致的快照中读取，可在系统运行时执行。")
    @click.option("--out", required=True, type=click.Path(dir_okay=False), help="备份文件保存到哪里（如 /backup/registry-2026-11-25.zip）")
    @click.pass_context
    def backup(ctx, out: str) -> None:
        from registry.backup import backup as write_backup
        from registry.cli import get_registry
        reg = get_registry(ctx)
        manifest = write_backup(reg, Path(out), progress=lambda msg: click.echo(msg))
        rows = sum(manifest["tables"].values())
        click.echo(f"备份完成：{out}（{len(manifest['tables'])} 张表，共 {rows} 行；上传文件 {manifest['files']} 个）")

    @main.command(help="恢复：把备份文件写入一个新建的空实例（先自动建表）。SQLite 与 PostgreSQL 之间可互相恢复。"
                       "已有数据的实例会被拒绝；备份被改动或损坏（校验和不符）也会被拒绝。")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False))
    @click.pass_context
    def restore(ctx, archive: str) -> None:
        from registry.backup import restore as read_backup
        from registry.cli import fail, get_registry
        from registry.core.errors import RegistryError
        from registry.migrate import upgrade
        reg = get_registry(ctx)
        upgrade(reg.settings.resolved_database_url())
        try:
            counts = read_backup(reg, Path(archive), progress=lambda msg: click.echo(msg))
        except RegistryError as exc:
            fail(exc.message)
            return
        click.echo(f"恢复完成：{len(counts)} 张表，共 {sum(counts.values())} 行。请运行 registry reindex 重建搜索索引"
                   "（使用 Elasticsearch 时）。")
