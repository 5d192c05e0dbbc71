#!/usr/bin/env bash
# A real OpenSearch 2.19 node on loopback, from Maven Central jars (tools/search-node/README.md).
#   tools/search-node.sh build                          build the launcher, fetch the jars (~/.m2)
#   tools/search-node.sh start [--port N] [--home DIR]  start (building first if needed), wait until ready, print the URL
#   tools/search-node.sh stop  [--port N]
#   tools/search-node.sh status [--port N]
# Default port 9200 (transport: port + 100). Needs OpenJDK 17 and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "build" ]; then
  exec mvn -q -B -f tools/search-node/pom.xml package
fi
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
exec "$python" -m search.node "$@"
