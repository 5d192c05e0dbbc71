#!/usr/bin/env bash
# Run the test suite. SQLite by default; PostgreSQL with
#   REGISTRY_TEST_DATABASE_URL=$(tools/postgres.sh) ./test.sh
# Browser tests need Debian's chromium (/usr/bin/chromium); extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/pytest ] || [ pyproject.toml -nt .venv/.installed ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[test]"
  touch .venv/.installed
fi
exec .venv/bin/python -m pytest "$@"
