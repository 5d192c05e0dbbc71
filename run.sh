#!/usr/bin/env bash
# Set up and start the registry with the demo county on the embedded default (SQLite, no other service).
#   ./run.sh             install into .venv, create the database, load the demo, serve on 127.0.0.1:5000
#   PORT=8080 ./run.sh   another port
set -euo pipefail
cd "$(dirname "$0")"
# Install once, and again only when pyproject.toml changed (the stamp is .venv/.installed-run, like test.sh's);
# pip's output goes to .venv/install.log and is shown only when the install fails.
if [ ! -x .venv/bin/registry ] || [ pyproject.toml -nt .venv/.installed-run ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  echo "正在安装（首次运行需要几分钟）…"
  if ! { .venv/bin/pip install --quiet --upgrade pip && .venv/bin/pip install --quiet -e .; } >.venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "安装失败，详见 .venv/install.log" >&2
    exit 1
  fi
  touch .venv/.installed-run
fi
.venv/bin/registry demo
exec .venv/bin/registry serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
