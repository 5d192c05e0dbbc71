#!/usr/bin/env bash
# Set up and start the registry with the demo county on the embedded default (SQLite, no other service).
#   ./run.sh             install into .venv, create the database, load the demo, serve on 127.0.0.1:5000
#   PORT=8080 ./run.sh   another port
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/registry ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
fi
.venv/bin/pip install --quiet -e .
.venv/bin/registry demo
exec .venv/bin/registry serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
