"""A real Elasticsearch 8.19.3 node on loopback, for the tests (REGISTRY_TEST_ENGINE=elasticsearch),
CI and development: the sibling of `search.node` (OpenSearch), with the same object interface.

The distribution is Maven Central's `org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.3`
(the only Elasticsearch 8 there; ~97 MB, cached in ~/.m2), which lacks analysis-common: the
registry's analysis plugin (`tools/es8-analysis`, built with Maven) supplies the `ngram` tokenizer
and `cjk` analyzer the mapping uses. Each node unpacks the zip into its own home, installs the
plugin and runs `bin/elasticsearch` (its CLI launcher JVM starts the server JVM; the server's pid
is in `<home>/pid`). Elasticsearch refuses to run as root: as root, the node runs as the system
user `registry-es`, created on first use. Nothing here is used in production.

    python -m search.es_node start [--port 9380] [--home DIR] [--heap 512m]   # prints the URL when ready
    python -m search.es_node stop  [--port 9380]
    python -m search.es_node status [--port 9380]
    python -m search.es_node build     # the plugin and the zip (Maven Central), nothing started
(`tools/es8-analysis/es8.sh` wraps these.)
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from search import node as _node
from search.node import NodeError, SearchNode, missing_tools, min_heap, port_free

VERSION = "8.19.3"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{VERSION}:zip"
PLUGIN_DIR = Path(__file__).resolve().parents[1] / "tools" / "es8-analysis"
PLUGIN_NAME = "registry-es8-analysis"
PLUGIN_FILES = (PLUGIN_DIR / "target" / f"{PLUGIN_NAME}.jar",
                PLUGIN_DIR / "src" / "main" / "resources" / "stable-plugin-descriptor.properties",
                PLUGIN_DIR / "src" / "main" / "resources" / "named_components.json")
RUN_AS = "registry-es"     # when started by root


def distribution_zip() -> Path:
    repo = Path(os.environ.get("REGISTRY_M2_REPOSITORY") or Path.home() / ".m2" / "repository")
    return (repo / "org" / "elasticsearch" / "distribution" / "integ-test-zip" / "elasticsearch" / VERSION
            / f"elasticsearch-{VERSION}.zip")


def _mvn(args: list[str], what: str, quiet: bool) -> None:
    result = subprocess.run(["mvn", "-B", *(["-q"] if quiet else []), *args], capture_output=quiet, text=True)
    if result.returncode != 0:
        raise NodeError(f"{what} failed:\n" + (result.stdout or "")[-3000:] + (result.stderr or "")[-2000:])


def _plugin_built() -> bool:
    jar = PLUGIN_FILES[0]
    if not jar.exists():
        return False
    sources = [PLUGIN_DIR / "pom.xml", *(PLUGIN_DIR / "src").rglob("*")]
    return all(s.stat().st_mtime <= jar.stat().st_mtime for s in sources if s.is_file())


def build(quiet: bool = True) -> Path:
    """Build the analysis plugin (when its sources are newer than its jar) and fetch the
    distribution zip (when it is not in ~/.m2); returns the zip's path."""
    reason = missing_tools()
    if not _plugin_built():
        if reason:
            raise NodeError(reason)
        _mvn(["-f", str(PLUGIN_DIR / "pom.xml"), "package"], "mvn package of tools/es8-analysis", quiet)
    zip_path = distribution_zip()
    if not zip_path.exists():
        if reason:
            raise NodeError(reason)
        _mvn(["dependency:get", f"-Dartifact={ARTIFACT}", "-Dtransitive=false"], f"fetching {ARTIFACT}", quiet)
        if not zip_path.exists():
            raise NodeError(f"{ARTIFACT} was fetched but is not at {zip_path} (set REGISTRY_M2_REPOSITORY)")
    return zip_path


def _java_home() -> str:
    if os.environ.get("ES_JAVA_HOME"):
        return os.environ["ES_JAVA_HOME"]
    java = shutil.which("java")
    if java is None:
        raise NodeError("java is not installed (OpenJDK 17 is needed for the Elasticsearch node)")
    return str(Path(os.path.realpath(java)).parents[1])


def _run_as() -> pwd.struct_passwd | None:
    """The user to run Elasticsearch as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError:
        result = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS],
                                capture_output=True, text=True)
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise NodeError(f"Elasticsearch refuses to run as root and useradd {RUN_AS} failed: {result.stderr}")
        return pwd.getpwnam(RUN_AS)


def _unpack(zip_path: Path, into: Path) -> None:
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, into))
            mode = info.external_attr >> 16
            if mode and not info.is_dir():
                os.chmod(target, mode & 0o777)


class ElasticsearchNode(SearchNode):
    """One Elasticsearch 8 node: `url`, `start()`, `stop(keep_home=...)`, `wait_ready()`, `pause()`,
    `resume()` as `search.node.SearchNode`. `process` is the CLI launcher (it stops the server on
    SIGTERM and exits when the server does); `server_pid` is the server JVM."""

    engine = "elasticsearch"

    @property
    def es_home(self) -> Path:
        return self.home / f"elasticsearch-{VERSION}"

    def command(self, classpath: str = "") -> list[str]:
        settings = {"cluster.name": "registry-search", "node.name": "es-node", "discovery.type": "single-node",
                    "network.host": "127.0.0.1", "http.port": self.http_port, "transport.port": self.transport_port,
                    "xpack.security.enabled": "false", "cluster.routing.allocation.disk.threshold_enabled": "false",
                    "path.data": self.home / "data", "path.logs": self.home / "logs", **self.settings}
        return [str(self.es_home / "bin" / "elasticsearch"), "-p", str(self.home / "pid"),
                *(f"-E{k}={v}" for k, v in settings.items())]

    def _prepare_home(self, zip_path: Path, user) -> None:
        """Unpack and install the plugin on first start; a later start() (keep_home) reuses it all."""
        if (self.es_home / "plugins" / PLUGIN_NAME).is_dir():
            return
        _unpack(zip_path, self.home)
        plugin = self.es_home / "plugins" / PLUGIN_NAME
        plugin.mkdir(parents=True)
        for source in PLUGIN_FILES:
            shutil.copy(source, plugin)
        for folder in ("data", "logs", "tmp"):
            (self.home / folder).mkdir(exist_ok=True)
        if user is not None:
            subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(self.home)], check=True)

    def start(self, timeout: float = _node.READY_TIMEOUT, wait: bool = True) -> str:
        zip_path = build()
        java_home = _java_home()
        user = _run_as()
        if not port_free(self.http_port) or not port_free(self.transport_port):
            raise NodeError(f"port {self.http_port} or {self.transport_port} is already in use")
        if self.home is None:
            self.home = Path(tempfile.mkdtemp(prefix=f"es-node-{self.http_port}-"))
        self.home.mkdir(parents=True, exist_ok=True)
        self._prepare_home(zip_path, user)
        (self.home / "pid").unlink(missing_ok=True)
        if self.log_path is None:
            self.log_path = Path(tempfile.mkstemp(prefix=f"es-node-{self.http_port}-", suffix=".log")[1])
        env = {**os.environ, "ES_JAVA_HOME": java_home, "ES_TMPDIR": str(self.home / "tmp"),
               "ES_JAVA_OPTS": f"-Xms{min_heap(self.heap)} -Xmx{self.heap}"}
        env.pop("ES_PATH_CONF", None)
        if user is not None:
            env.update(HOME=str(self.home), USER=RUN_AS, LOGNAME=RUN_AS)
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.home,
                env=env, start_new_session=True,
                **({"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}))
        if wait:
            self.wait_ready(timeout)
            self.started_seconds = time.monotonic() - began
        return self.url

    @property
    def server_pid(self) -> int:
        try:
            return int((self.home / "pid").read_text())
        except (OSError, TypeError, ValueError):
            raise NodeError("the Elasticsearch server has not written its pid yet") from None

    def stop(self, timeout: float = 30, keep_home: bool = False) -> None:
        """SIGTERM to the launcher and the server (one process group: each closes cleanly), then
        SIGKILL. The temporary home is deleted unless `keep_home`."""
        if self.process is not None and self.process.poll() is None:
            group = self.process.pid        # start_new_session: the launcher leads the group
            try:
                os.killpg(group, signal.SIGCONT)      # a paused server cannot close
                os.killpg(group, signal.SIGTERM)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(group, signal.SIGKILL)
                self.process.wait(10)
            except ProcessLookupError:
                pass
            self._wait_server_gone(timeout)
        super().stop(timeout, keep_home)

    def _wait_server_gone(self, timeout: float) -> None:
        try:
            pid = self.server_pid
        except NodeError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)

    def pause(self) -> None:
        """Freeze the server JVM (SIGSTOP): connections stay open, nothing answers."""
        os.kill(self.server_pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.server_pid, signal.SIGCONT)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["build"]:
        try:
            print(build())
        except NodeError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    return _node.main(argv, node_class=ElasticsearchNode, default_port=9380,
                      description=f"A real Elasticsearch {VERSION} node on loopback.")


if __name__ == "__main__":
    sys.exit(main())
