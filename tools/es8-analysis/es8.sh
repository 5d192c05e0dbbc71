#!/usr/bin/env bash
# A real Elasticsearch 8.19.3 node on loopback from Maven Central, with the registry's analysis
# (the `ngram` tokenizer and `cjk` analyzer of analysis-common, which that distribution lacks) as
# a stable plugin built here. See README.md. The work is done by search/es_node.py (the same code
# the test suite uses with REGISTRY_TEST_ENGINE=elasticsearch):
#   tools/es8-analysis/es8.sh build                      build the plugin, fetch the zip (~/.m2)
#   tools/es8-analysis/es8.sh start [PORT] [--home DIR]  build if needed, unpack, install, start, wait; prints the URL
#   tools/es8-analysis/es8.sh stop  [PORT]
#   tools/es8-analysis/es8.sh status [PORT]
# Default port 9380 (transport: port + 100). Needs OpenJDK 17 and Maven. Elasticsearch refuses
# to run as root: as root, the node runs as the system user `registry-es` (created on first use).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
command="${1:-}"
shift || true
if [ "$command" = build ]; then
  exec "$python" -m search.es_node build
fi
port=9380
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then port="$1"; shift; fi
case "$command" in
  start|stop|status) exec "$python" -m search.es_node "$command" --port "$port" "$@" ;;
  *) sed -n 2,11p "$0"; exit 2 ;;
esac
