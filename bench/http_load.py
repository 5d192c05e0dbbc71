"""A bounded HTTP load driver on loopback: N client threads with keep-alive connections, each
request timed; stops at a deadline or a request cap, whichever comes first."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, workers: int = 2, threads: int = 4,
                   extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, int]:
    """The production server on loopback only, with the recommended settings for this machine."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--worker-class", "gthread", "--timeout", "120", "--log-level", "warning",
           *extra, "registry.app:create_app()"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def drive(port: int, make_request: Callable[[int, int], tuple[str, str, dict | None, dict]], clients: int,
          seconds: float, max_requests: int = 200_000) -> dict:
    """make_request(client, n) → (method, path, json body / raw bytes or None, headers). Returns latencies and errors."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    counter = iter(range(max_requests))

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.perf_counter() < deadline:
            with lock:
                if next(counter, None) is None:
                    break
            method, path, body, headers = make_request(index, n)
            n += 1
            payload = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
            start = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **headers})
                response = conn.getresponse()
                data = response.read()
                ok = response.status < 500 and (not path.startswith("/api/") or json.loads(data)["success"])
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none hidden
                ok = False
                data = repr(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                by_kind.setdefault(request_kind(method, path), []).append(elapsed)
                if not ok:
                    errors.append(f"{path[:60]} → {data[:160]!r}")
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    result = summarize(latencies, errors, wall)
    result["by_kind"] = {kind: summarize(values, [], wall) for kind, values in sorted(by_kind.items())}
    return result


def request_kind(method: str, path: str) -> str:
    """What a request was, for the per-kind breakdown: the path without query or record name."""
    path = path.split("?", 1)[0]
    parts = path.split("/")
    if len(parts) == 3 and parts[1] in ("resources", "units", "systems"):
        path = f"/{parts[1]}/<name>"
    return f"{method} {path}"


def summarize(latencies: list[float], errors: list[str], wall: float) -> dict:
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {"requests": len(latencies), "errors": len(errors), "error_samples": errors[:5],
            "throughput": len(latencies) / wall if wall else 0.0, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "mean": statistics.fmean(ordered) * 1000}


def get(path: str, params: dict | None = None) -> tuple[str, str, None, dict]:
    return "GET", path + ("?" + urlencode(params) if params else ""), None, {}
