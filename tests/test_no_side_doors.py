"""Scan, reindex and the demo loader go through the action registry; actions report progress on
one channel; the unit of work owns the one after-commit list."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from registry.core.actions import Progress
from registry.cli import CliActor
from registry.core.db import after_commit, on_rollback


class Recorded(Progress):
    def __init__(self):
        self.started, self.advanced = [], 0

    def start(self, total: int, label: str) -> None:
        self.started.append((total, label))

    def advance(self, n: int = 1) -> None:
        self.advanced += n


@pytest.mark.parametrize("name,label", [("duplicate_scan", "映射信息项"), ("search_reindex", "重建索引")])
def test_scan_and_reindex_are_actions_that_report_progress_per_item(reg, make, name, label):
    make.package(make.system(make.unit()), items=("姓名", "公民身份号码", "联系电话", "住址"))
    progress = Recorded()
    reg.run_action(name, CliActor(), {}, progress)
    assert progress.started == [(4, label)] and progress.advanced == 4


def test_a_department_cannot_run_the_scan_or_the_reindex(reg, make):
    from registry.core.errors import NotAuthorized
    user = make.user("department", make.unit())
    for name in ("duplicate_scan", "search_reindex", "demo_load"):
        with pytest.raises(NotAuthorized):
            reg.run_action(name, user["id"], {})


def test_the_cli_commands_run_the_actions(app, make, tmp_path):
    from registry.cli import main
    make.package(make.system(make.unit()))
    runner = CliRunner()
    env = {"REGISTRY_DATABASE_URL": app.extensions["registry"].settings.database_url,
           "REGISTRY_INSTANCE_PATH": str(tmp_path)}
    scan = runner.invoke(main, ["scan"], env=env)
    assert scan.exit_code == 0, scan.output
    assert "扫描完成：1 项信息资源，3 个信息项" in scan.output
    reindex = runner.invoke(main, ["reindex"], env=env)
    assert reindex.exit_code == 0 and "索引已重建：1 项信息资源" in reindex.output


def test_the_unit_of_work_runs_its_after_commit_list_after_commit_and_its_rollback_list_on_failure(reg):
    happened = []
    with reg.db.unit_of_work() as session:
        after_commit(session).append(lambda: happened.append("committed"))
        on_rollback(session).append(lambda: happened.append("rolled back"))
        assert happened == []
    assert happened == ["committed"]
    happened.clear()
    with pytest.raises(RuntimeError):
        with reg.db.unit_of_work() as session:
            after_commit(session).append(lambda: happened.append("committed"))
            on_rollback(session).append(lambda: happened.append("rolled back"))
            raise RuntimeError("fails")
    assert happened == ["rolled back"]
