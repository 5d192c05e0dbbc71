#!/usr/bin/env bash
# A real Elasticsearch 8.19.3 node on loopback from Maven Central, with the registry's analysis
# (the `ngram` tokenizer and `cjk` analyzer of analysis-common, which that distribution lacks) as
# a stable plugin built here. See README.md.
#   tools/es8-analysis/es8.sh start [PORT]   build, unpack, install the plugin, start, wait; prints the URL
#   tools/es8-analysis/es8.sh stop  [PORT]
# Then: REGISTRY_ES_URL=http://127.0.0.1:PORT ./test.sh tests/test_search_contract.py tests/test_search_engine_node.py
# Needs OpenJDK 17 and Maven. Elasticsearch refuses to run as root: as root, a system user
# `registry-es` is created to run it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=8.19.3
port="${2:-9380}"
home="${ES8_HOME:-${TMPDIR:-/tmp}/registry-es8-$port}"
es="$home/elasticsearch-$version"
java_home="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

case "${1:-}" in
start)
  mvn -q -B -f "$here/pom.xml" package >&2
  zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$version/elasticsearch-$version.zip"
  [ -f "$zip" ] || mvn -q -B dependency:get \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" -Dtransitive=false >&2
  rm -rf "$home" && mkdir -p "$home/data" "$home/logs"
  (cd "$home" && unzip -q "$zip")
  plugin="$es/plugins/registry-es8-analysis"
  mkdir -p "$plugin"
  cp "$here/target/registry-es8-analysis.jar" "$here/src/main/resources/stable-plugin-descriptor.properties" \
     "$here/src/main/resources/named_components.json" "$plugin/"
  cat >> "$es/config/elasticsearch.yml" <<YML
discovery.type: single-node
network.host: 127.0.0.1
http.port: $port
transport.port: $((port + 100))
xpack.security.enabled: false
path.data: $home/data
path.logs: $home/logs
YML
  run=(env "ES_JAVA_HOME=$java_home" "ES_JAVA_OPTS=-Xms512m -Xmx512m" "$es/bin/elasticsearch" -d -p "$home/pid")
  if [ "$(id -u)" = 0 ]; then
    id registry-es >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin registry-es
    chown -R registry-es "$home"
    su registry-es -s /bin/bash -c "cd '$home' && $(printf '%q ' "${run[@]}")" >"$home/start.log" 2>&1
  else
    (cd "$home" && "${run[@]}") >"$home/start.log" 2>&1
  fi
  for _ in $(seq 1 180); do
    if curl -fsS "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port"; exit 0
    fi
    sleep 1
  done
  echo "Elasticsearch did not start; see $home/logs and $home/start.log" >&2; exit 1 ;;
stop)
  [ -f "$home/pid" ] && kill "$(cat "$home/pid")" && echo "stopped" || echo "not running" ;;
*)
  sed -n 2,11p "$0"; exit 2 ;;
esac
