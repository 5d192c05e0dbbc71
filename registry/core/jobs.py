"""Long actions started from a page, run in the background with a status the user watches.

A page calls `start(reg, user_id, name, data)`: the action `job_start` checks that the user may run
`name` (its own auth function) and writes a `Job` row; then a thread runs `name` through
`Registry.run_action`, like every entry point, with a `JobProgress` as its `ctx.progress`. The
progress goes to this process's memory at once and to the row, throttled (PostgreSQL; on SQLite the
action's own transaction holds the one write lock, so the row is written when the job starts and
ends, and the status of a running job is read from the memory of the process that runs it). The
status page (`registry/web/job_views.py`) reads `job_show`.

One scan or reindex runs at a time: the row's `running_key` is the action's name while it runs
(unique). A second start by the same user or an administrator joins the running job (its status
page); anyone else is refused, told who started it and when. Exports run side by side; each
keeps its workbook under the instance folder for a day, for whoever may see the job. A job whose process is gone (a restart)
is shown as 已中断 and no longer blocks a new one. The action audits itself, as from the CLI or API.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from marshmallow import fields
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from catalog_schema.fields import ChineseSchema
from registry.core.actions import Context, Progress, action, get_action
from registry.core.authz import require_login
from registry.core.db import utcnow
from registry.core.errors import Conflict, NotFound, RegistryError
from registry.core.jobs_model import Job

log = logging.getLogger("registry")

@dataclass(frozen=True)
class JobKind:
    label: str                  # what a user calls it
    one_at_a_time: bool = True  # one running job for everyone (scan, reindex); else any number
    workbook: bool = False      # the action writes a workbook (ExportTarget) the status page offers


# The actions a page may start as a job.
JOB_ACTIONS = {"duplicate_scan": JobKind("重复采集扫描"), "search_reindex": JobKind("重建检索索引"),
               "catalog_export": JobKind("导出信息资源目录", one_at_a_time=False, workbook=True)}
KEEP_FILES = timedelta(hours=24)  # an exported workbook stays downloadable this long
STATE_LABELS = {"running": "进行中", "done": "已完成", "failed": "失败", "interrupted": "已中断"}
INTERRUPTED = ("任务所在的服务进程已停止（例如服务重启），任务没有完成。该操作在一个事务中执行，"
               "未完成的改动不会保存；请重新开始。")
FAILED = "任务出错，没有完成（详情已记入服务器日志，请联系管理员）。未完成的改动不会保存。"
WRITE_INTERVAL = 1.0        # seconds between two progress writes to the row (PostgreSQL)
STALE = timedelta(hours=6)  # a job of another machine not heard from for this long was interrupted


def _process_start(pid: int) -> str | None:
    """The kernel's start time of process `pid` (Linux), or None: with the boot id, it tells a live
    process from a later one that reused its number."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


HOST, BOOT = socket.gethostname()[:60], _boot_id()
PROCESS = f"{HOST}|{BOOT}|{os.getpid()}|{_process_start(os.getpid()) or uuid.uuid4().hex}"

_lock = threading.Lock()
_live: dict[str, dict] = {}                 # token → progress of the jobs this process runs
_threads: dict[str, threading.Thread] = {}
# token → final state of the jobs this process finished lately: a status read that began before the
# result was committed (its snapshot still says running) shows the result, not 已中断
_recent: dict[str, dict] = {}
RECENT = 200


def alive(job: Job) -> bool:
    """Whether the process that runs `job` is still running it."""
    if job.process == PROCESS:
        with _lock:
            return job.token in _live
    host, boot, pid, started = (job.process.split("|") + ["", "", "", ""])[:4]
    if host == HOST and boot == BOOT and pid.isdigit() and _process_start(os.getpid()) is not None:
        return _process_start(int(pid)) == started
    return job.heartbeat is not None and utcnow() - job.heartbeat < STALE


class JobProgress(Progress):
    """`ctx.progress` of an action run as a job: memory at once, the row throttled."""

    def __init__(self, reg, token: str):
        self.reg, self.token = reg, token
        self.label, self.text, self.done, self.total = "等待开始", "", 0, 0
        self._written = 0.0

    def start(self, total: int, label: str) -> None:
        self.total, self.done, self.label = max(int(total or 0), 0), 0, label
        self._publish(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._publish()

    def note(self, text: str) -> None:
        self.text = str(text)[:500]
        self._publish(force=True)

    def values(self) -> dict:
        return {"label": self.label[:200], "note": self.text, "done": self.done, "total": self.total}

    def _publish(self, force: bool = False) -> None:
        with _lock:
            _live[self.token] = self.values()
        if self.reg.db.is_sqlite:
            return  # the action's transaction holds SQLite's write lock: the row is written at the end
        now = time.monotonic()
        if not force and now - self._written < WRITE_INTERVAL:
            return
        self._written = now
        try:
            with self.reg.db.unit_of_work(write=True) as session:
                session.execute(update(Job).where(Job.token == self.token, Job.state == "running")
                                .values(**self.values(), heartbeat=utcnow()))
        except Exception:  # the status lags; the action goes on
            log.warning("job %s: progress not written", self.token, exc_info=True)


def workbook_path(reg, token: str) -> Path:
    """Where a job's exported workbook is kept (the instance folder's jobs/)."""
    return Path(reg.settings.instance_path or ".") / "jobs" / f"{token}.xlsx"


def _forget_old_files(folder: Path) -> None:
    cutoff = time.time() - KEEP_FILES.total_seconds()
    for entry in folder.glob("*.xlsx"):
        if entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)


def start(reg, user_id: int, name: str, data: dict | None = None) -> dict:
    """Start action `name` as a job for `user_id` (or join the one running). Returns
    {"token", "joined"}; raises what `job_start` raises (not allowed, another user's job running)."""
    answer = reg.run_action("job_start", user_id, {"action": name, "input": data or {}})
    if not answer["joined"]:
        token = answer["token"]
        if JOB_ACTIONS[name].workbook:
            from importers.actions import ExportTarget
            path = workbook_path(reg, token)
            path.parent.mkdir(parents=True, exist_ok=True)
            _forget_old_files(path.parent)
            data = {**(data or {}), "out": ExportTarget(path)}
        progress = JobProgress(reg, token)
        with _lock:
            _live[token] = progress.values()
            thread = _threads[token] = threading.Thread(target=_run, args=(reg, token, name, user_id, data, progress),
                                                        name=f"job-{name}", daemon=True)
        thread.start()
    return answer


def wait(token: str, timeout: float | None = None) -> None:
    """Until this process's job `token` has finished (tests, and a clean shutdown)."""
    with _lock:
        thread = _threads.get(token)
    if thread is not None:
        thread.join(timeout)


def _run(reg, token: str, name: str, user_id: int, data: dict | None, progress: JobProgress) -> None:
    try:
        result = reg.run_action(name, user_id, data or {}, progress)
        final = {"state": "done", "result": json.loads(json.dumps(result, default=str)), "error": None}
    except RegistryError as exc:
        final = {"state": "failed", "error": exc.message}
    except Exception:
        log.exception("job %s (%s) failed", token, name)
        final = {"state": "failed", "error": FAILED}
    if final["state"] != "done" and JOB_ACTIONS[name].workbook:
        workbook_path(reg, token).unlink(missing_ok=True)
    written = False
    try:
        with reg.db.unit_of_work(write=True) as session:
            session.execute(update(Job).where(Job.token == token).values(
                **progress.values(), **final, running_key=None, finished=utcnow(), heartbeat=utcnow()))
        written = True
    except Exception:  # the row stays "running" with this process's name: shown as interrupted
        log.exception("job %s (%s): result not written", token, name)
    finally:
        with _lock:
            if written:
                _recent[token] = {**progress.values(), "result": None, **final}
                while len(_recent) > RECENT:
                    _recent.pop(next(iter(_recent)))
            _live.pop(token, None)
            _threads.pop(token, None)


# -- the actions ---------------------------------------------------------------------------------

class JobStartSchema(ChineseSchema):
    action = fields.String(required=True)
    input = fields.Dict(load_default=dict)


class JobShowSchema(ChineseSchema):
    token = fields.String(required=True)


def _auth_start(ctx: Context, data: dict) -> None:
    """Whoever may run the action may start it as a job (its own auth function decides)."""
    require_login(ctx)
    name = data.get("action")
    if name not in JOB_ACTIONS:
        raise NotFound("该操作不能在后台运行")
    get_action(name).auth(ctx, dict(data.get("input") or {}))


def _expire(session, name: str) -> None:
    """A running job of `name` whose process is gone becomes 已中断 (and blocks nothing)."""
    for job in session.scalars(select(Job).where(Job.action == name, Job.state == "running")):
        if not alive(job):
            job.state, job.running_key, job.finished, job.error = "interrupted", None, utcnow(), INTERRUPTED
    session.flush()


def _sees(ctx: Context, job: Job) -> bool:
    return ctx.user is not None and (ctx.user.role == "admin" or (job.user_id is not None and job.user_id == ctx.user.id))


def _local(moment) -> str:
    from registry.core.clock import local
    return "" if moment is None else f"{local(moment):%Y-%m-%d %H:%M:%S}"


@action("job_start", auth=_auth_start, schema=JobStartSchema, internal=True)
def job_start(ctx: Context, data: dict) -> dict:
    """Record a job for a long action (a page then runs it in the background), or join the running one."""
    name = data["action"]
    _expire(ctx.session, name)
    key = name if JOB_ACTIONS[name].one_at_a_time else None
    running = ctx.session.scalar(select(Job).where(Job.running_key == key)) if key else None
    if running is None:
        job = Job(token=secrets.token_hex(16), action=name, user_id=getattr(ctx.user, "id", None),
                  username=ctx.user.username[:60], state="running", running_key=key, process=PROCESS,
                  label="等待开始", note="", done=0, total=0, heartbeat=utcnow())
        try:
            with ctx.session.begin_nested():
                ctx.session.add(job)
        except IntegrityError:  # another process started one between our look and our insert
            running = ctx.session.scalar(select(Job).where(Job.running_key == name))
        else:
            return {"token": job.token, "joined": False}
    if running is not None and _sees(ctx, running):
        return {"token": running.token, "joined": True}
    since = f"（{running.username} 于 {_local(running.started)} 开始）" if running is not None else ""
    raise Conflict(f"{JOB_ACTIONS[name].label}正在进行{since}，同一时间只运行一个，请等它完成后再开始")


@action("job_show", auth=lambda ctx, data: require_login(ctx), schema=JobShowSchema, read_only=True, internal=True)
def job_show(ctx: Context, data: dict) -> dict:
    """A job's state, progress and result: only for the user who started it and administrators."""
    job = ctx.session.scalar(select(Job).where(Job.token == data["token"]))
    if job is None or not _sees(ctx, job):
        raise NotFound("没有这个任务（任务只有启动它的用户和管理员可以查看）")
    return describe(job)


def describe(job: Job) -> dict:
    values = {"label": job.label, "note": job.note, "done": job.done, "total": job.total}
    state, error, result = job.state, job.error, job.result
    if state == "running":
        with _lock:
            live = _live.get(job.token) if job.process == PROCESS else None
            recent = _recent.get(job.token) if job.process == PROCESS else None
        if live is not None:
            values = live
        elif recent is not None:   # finished since this read's snapshot was taken
            values = {key: recent[key] for key in values}
            state, error, result = recent["state"], recent["error"], recent["result"]
        elif not alive(job):
            state, error = "interrupted", INTERRUPTED
    done, total = values["done"], values["total"]
    percent = 100 if state == "done" else (min(100, done * 100 // total) if total else 0)
    return {"token": job.token, "action": job.action, "action_label": JOB_ACTIONS[job.action].label,
            "workbook": JOB_ACTIONS[job.action].workbook and state == "done",
            "state": state, "state_label": STATE_LABELS[state], "finished": state != "running",
            **values, "percent": percent, "result": result if state == "done" else None,
            "summary": summary(job.action, result) if state == "done" else "", "error": error,
            "username": job.username, "started": _local(job.started), "ended": _local(job.finished)}


def summary(name: str, result: dict | None) -> str:
    """The result in a sentence, as the CLI prints it."""
    from search.actions import reindex_summary, scan_summary
    if not result:
        return ""
    if name == "catalog_export":
        from importers.actions import export_summary
        return f"{export_summary(result)}（{result['filename']}）"
    return {"duplicate_scan": scan_summary, "search_reindex": reindex_summary}[name](result)
