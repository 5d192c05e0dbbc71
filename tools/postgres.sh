#!/usr/bin/env bash
# Install (from Debian), start and prepare the PostgreSQL the tests use; idempotent.
#   tools/postgres.sh [DBNAME]   creates role "registry" (password "registry") and DBNAME (default registry_test),
#                                then prints the database URL for REGISTRY_TEST_DATABASE_URL.
set -euo pipefail
db="${1:-registry_test}"
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi
version="$(ls /etc/postgresql | sort -V | tail -n 1)"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  # Another caller may be starting it at the same moment ("already running"): wait for it either way.
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL did not start" >&2; exit 1; }
as_postgres() { su postgres -s /bin/sh -c "$*"; }
if [ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='registry'\"")" != "1" ]; then
  as_postgres "psql -qc \"CREATE ROLE registry SUPERUSER LOGIN PASSWORD 'registry'\"" >&2
fi
if [ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"")" != "1" ]; then
  as_postgres "createdb -O registry '$db'" >&2
fi
echo "postgresql+psycopg://registry:registry@127.0.0.1:5432/$db"
