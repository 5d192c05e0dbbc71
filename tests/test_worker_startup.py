"""A fresh worker answers its first concurrent requests: every model and action module is imported
and the mappers configured when the app is created, before serving, so a token check racing the
first action lookup cannot break SQLAlchemy's mapper set-up (which broke the worker for good).
And the app's logs follow the server's configuration: gunicorn --log-level warning gets no
per-request INFO lines."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from http_load import free_port, stop  # noqa: E402

FRESH_WORKER = r"""
import json, sys, threading
sys.setswitchinterval(1e-6)  # switch threads as often as possible: the interleavings a busy server sees
from registry.app import create_app
app = create_app()
token, threads = sys.argv[1], 12
barrier = threading.Barrier(threads)
statuses = [None] * threads

def first_requests(i):
    client = app.test_client()
    barrier.wait()
    codes = []
    for n in range(1 if i == 0 else 15):
        if i == 0:    # the first action lookup of the worker
            r = client.get("/api/3/action/organization_list")
        else:         # the token check queries the database before any action is looked up
            r = client.get("/api/3/action/package_search", query_string={"q": "身份"},
                           headers={"Authorization": token})
        codes.append(r.status_code)
    statuses[i] = codes

workers = [threading.Thread(target=first_requests, args=(i,)) for i in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
print(json.dumps(statuses))
"""


def _env(reg) -> dict:
    return {**os.environ, "REGISTRY_DATABASE_URL": reg.settings.resolved_database_url(),
            "REGISTRY_INSTANCE_PATH": reg.settings.instance_path, "REGISTRY_SECRET_KEY": "k",
            "REGISTRY_SEARCH_CATCH_UP_ON_START": "false",
            "REGISTRY_ARGON2_TIME_COST": "1", "REGISTRY_ARGON2_MEMORY_KIB": "1024"}


def test_fresh_threaded_workers_answer_their_first_concurrent_requests(reg, make):
    make.package()
    make.user("finance", username="finance1")
    token = make.act("api_token_create", {"user": "finance1"})["token"]
    env = _env(reg)
    for _process in range(5):
        run = subprocess.run([sys.executable, "-c", FRESH_WORKER, token], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
        statuses = json.loads(run.stdout.strip().splitlines()[-1])
        assert all(code == 200 for codes in statuses for code in codes), (statuses, run.stderr[-3000:])


def test_app_creation_imports_every_part_and_configures_the_mappers_before_serving(reg):
    probe = ("import json, sys\n"
             "from registry.app import create_app\n"
             "from registry.core.db import Base\n"
             "from registry.modules import ACTION_MODULES, MODEL_MODULES, FUNDING_RULE_MODULES\n"
             "create_app()\n"
             "missing = [m for m in ACTION_MODULES + MODEL_MODULES + FUNDING_RULE_MODULES if m not in sys.modules]\n"
             "print(json.dumps({'missing': missing, 'unconfigured': bool(Base.registry._new_mappers)}))\n")
    run = subprocess.run([sys.executable, "-c", probe], env=_env(reg), cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"missing": [], "unconfigured": False}


def test_gunicorn_workers_serve_first_requests_and_log_at_the_servers_level(reg, make, tmp_path):
    make.package()
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
           "--worker-class", "gthread", "--log-level", "warning", "registry.app:create_app()"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(reg), stdout=log, stderr=log, start_new_session=True)
        try:
            def ask(i):
                path = "package_search?q=%E8%BA%AB%E4%BB%BD" if i % 2 else "organization_list"
                for _attempt in range(600):  # until the server listens: connection refusals only are retried
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/3/action/{path}", timeout=60) as r:
                            return r.status
                    except urllib.error.HTTPError as exc:
                        return exc.code
                    except OSError:
                        time.sleep(0.1)
                return None
            with ThreadPoolExecutor(16) as pool:
                statuses = list(pool.map(ask, range(32)))
            assert statuses == [200] * 32
        finally:
            stop(proc)
    logged = log_path.read_text(errors="replace")
    assert "/api/3/action/" not in logged, logged[-2000:]
    assert " INFO " not in logged and '"level": "INFO"' not in logged, logged[-2000:]
