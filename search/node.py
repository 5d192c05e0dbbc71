"""A real OpenSearch 2.19 node on loopback, for the tests, the benchmarks and development.

The node is the small Java launcher in `tools/search-node/` (its README says how it works),
built with Maven from Maven Central jars (cached in ~/.m2, ~50 MB) and run in one JVM. Nothing
here is used in production, where the engine is a real cluster (docker-compose.yml).

    python -m search.node start [--port 9200] [--home DIR] [--heap 512m]   # prints the URL when ready
    python -m search.node stop  [--port 9200]
    python -m search.node status [--port 9200]
(`tools/search-node.sh` wraps these and `build`.)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

NODE_DIR = Path(os.environ.get("REGISTRY_SEARCH_NODE_DIR")
                or Path(__file__).resolve().parents[1] / "tools" / "search-node")
MAIN_CLASS = "registry.searchnode.SearchNode"
PORTS = range(9200, 9300)          # HTTP ports we use; the transport port is HTTP + 100
READY_TIMEOUT = 120                # seconds: a cold JVM on 2 busy cores
STATE_DIR = Path(tempfile.gettempdir()) / "registry-search-node"


class NodeError(RuntimeError):
    pass


def missing_tools() -> str | None:
    """Why a node cannot be built and run here (None: Java and Maven are present)."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (OpenJDK 17 and Maven are needed for the search node)"
    return None


def _built() -> bool:
    jar = NODE_DIR / "target" / "search-node.jar"
    if not jar.exists() or not (NODE_DIR / "target" / "lib").is_dir():
        return False
    sources = [NODE_DIR / "pom.xml", *(NODE_DIR / "src").rglob("*.java")]
    return all(s.stat().st_mtime <= jar.stat().st_mtime for s in sources)


def build(quiet: bool = True) -> str:
    """Build the launcher and copy its dependencies (first time: downloads from Maven Central);
    returns the Java classpath. Does nothing when the jar is newer than the sources."""
    if not _built():
        reason = missing_tools()
        if reason:
            raise NodeError(reason)
        command = ["mvn", "-B", "-f", str(NODE_DIR / "pom.xml"), "package"] + (["-q"] if quiet else [])
        result = subprocess.run(command, capture_output=quiet, text=True)
        if result.returncode != 0:
            raise NodeError("mvn package failed for the search node:\n" + (result.stdout or "")[-3000:]
                            + (result.stderr or "")[-2000:])
    return f"{NODE_DIR / 'target' / 'search-node.jar'}{os.pathsep}{NODE_DIR / 'target' / 'lib' / '*'}"


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(ports=PORTS) -> int:
    """An HTTP port whose transport port (+100) is free too."""
    for port in ports:
        if port_free(port) and port_free(port + 100):
            return port
    raise NodeError(f"no free port pair in {ports.start}-{ports.stop - 1} (+100)")


def get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class SearchNode:
    """One node process. `settings`: extra -E settings (e.g. a cluster's discovery settings)."""

    def __init__(self, http_port: int | None = None, home: str | Path | None = None, heap: str = "512m",
                 settings: dict[str, str] | None = None, log_path: str | Path | None = None):
        self.http_port = http_port or free_port()
        self.transport_port = self.http_port + 100
        self.home = Path(home) if home else None
        self._own_home = home is None      # a fresh temporary home, deleted by stop()
        self.heap = heap
        self.settings = settings or {}
        self.log_path = Path(log_path) if log_path else None
        self._own_log = log_path is None   # a temporary log, deleted by stop() with the temporary home
        self.process: subprocess.Popen | None = None
        self.started_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def command(self, classpath: str) -> list[str]:
        args = ["java", f"-Xms{min_heap(self.heap)}", f"-Xmx{self.heap}", "-XX:+UseSerialGC",
                "-Dopensearch.set.netty.runtime.available.processors=false", "-Dlog4j2.disable.jmx=true",
                "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8", "-cp", classpath, MAIN_CLASS,
                f"-Ehttp.port={self.http_port}", f"-Etransport.port={self.transport_port}"]
        args += ["--home", str(self.home)]
        args += [f"-E{k}={v}" for k, v in self.settings.items()]
        return args

    def start(self, timeout: float = READY_TIMEOUT, wait: bool = True) -> str:
        classpath = build()
        if not port_free(self.http_port) or not port_free(self.transport_port):
            raise NodeError(f"port {self.http_port} or {self.transport_port} is already in use")
        if self.home is None:
            self.home = Path(tempfile.mkdtemp(prefix=f"search-node-{self.http_port}-"))
        if self.log_path is None:
            self.log_path = Path(tempfile.mkstemp(prefix=f"search-node-{self.http_port}-", suffix=".log")[1])
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(classpath), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        if wait:
            self.wait_ready(timeout)
            self.started_seconds = time.monotonic() - began
        return self.url

    def wait_ready(self, timeout: float = READY_TIMEOUT, status: str = "yellow") -> dict:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise NodeError(f"the search node exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                health = get_json(f"{self.url}/_cluster/health?wait_for_status={status}&timeout=1s", timeout=5)
                if not health.get("timed_out"):
                    return health
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise NodeError(f"the search node on {self.url} was not ready after {timeout:.0f} s:\n"
                                f"{self.log_tail()}")
            time.sleep(0.5)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 30, keep_home: bool = False) -> None:
        """SIGTERM (the launcher closes the node cleanly), then SIGKILL. The temporary home is
        deleted unless `keep_home` (a later start() on the same object reopens the same data)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._own_home and not keep_home and self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None
        if self._own_log and not keep_home and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def pause(self) -> None:
        """Freeze the node's JVM (SIGSTOP): connections stay open, nothing answers."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def __enter__(self) -> "SearchNode":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def min_heap(heap: str) -> str:
    """-Xms: half the maximum, at least 256m (the tests' node starts at 256m, grows to 512m)."""
    number, unit = int(heap[:-1]), heap[-1].lower()
    megabytes = number * 1024 if unit == "g" else number
    return f"{max(256, megabytes // 2)}m"


# -- the command line (tools/search-node.sh) ------------------------------------------------------

def _pid_file(port: int) -> Path:
    return STATE_DIR / f"{port}.pid"


def _running_pid(port: int) -> int | None:
    try:
        pid = int(_pid_file(port).read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None, node_class: type[SearchNode] = SearchNode, default_port: int = 9200,
         description: str = "A real OpenSearch 2.19 node on loopback.") -> int:
    """The command line of this node and of its Elasticsearch sibling (search.es_node)."""
    parser = argparse.ArgumentParser(prog="search-node", description=description)
    parser.add_argument("command", choices=("build", "start", "stop", "status"))
    parser.add_argument("--port", type=int, default=default_port, help="HTTP port (transport: +100)")
    parser.add_argument("--home", help="keep the node's data in this folder (default: a fresh temporary one)")
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args(argv)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    if args.command == "build":
        print(build(quiet=False))
        return 0
    if args.command == "status":
        pid = _running_pid(args.port)
        try:
            health = get_json(f"http://127.0.0.1:{args.port}/_cluster/health", timeout=3)
            print(f"running (pid {pid}) http://127.0.0.1:{args.port} status={health['status']}")
            return 0
        except (urllib.error.URLError, OSError, ValueError):
            print(f"not running on port {args.port}" + (f" (pid {pid} starting?)" if pid else ""))
            return 3
    if args.command == "stop":
        pid = _running_pid(args.port)
        if pid is None:
            print(f"no search node of ours on port {args.port}")
            return 0
        os.killpg(pid, signal.SIGTERM)      # the node leads its process group (start_new_session)
        for _ in range(60):
            time.sleep(0.5)
            if _running_pid(args.port) is None:
                break
        else:
            os.killpg(pid, signal.SIGKILL)
        _pid_file(args.port).unlink(missing_ok=True)
        print(f"stopped the search node on port {args.port} (pid {pid})")
        return 0
    if _running_pid(args.port):
        print(f"already running: http://127.0.0.1:{args.port}")
        return 0
    home = args.home
    if not home:  # a fresh data folder each start (another Lucene version's data would not open)
        home = STATE_DIR / f"{args.port}-home"
        shutil.rmtree(home, ignore_errors=True)
    node = node_class(args.port, home=home, heap=args.heap, log_path=STATE_DIR / f"{args.port}.log")
    try:
        node.start(wait=False)
        _pid_file(args.port).write_text(str(node.process.pid))
        node.wait_ready()
    except NodeError as exc:
        print(exc, file=sys.stderr)
        node.stop()
        _pid_file(args.port).unlink(missing_ok=True)
        return 1
    print(node.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
