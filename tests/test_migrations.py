"""Migrations upgrade an empty database to exactly the models' schema, on SQLite and PostgreSQL."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from registry.core.db import Base, make_engine
from registry.migrate import current_heads, upgrade
from registry.core.plugins_models import import_all_models

# A PostgreSQL login that may create databases: the one tools/postgres.sh prepares (.ci/run passes it).
PG_ADMIN_URL = (os.environ.get("REGISTRY_TEST_PG_ADMIN_URL") or os.environ.get("REGISTRY_TEST_DATABASE_URL")
                or "postgresql+psycopg://registry:registry@127.0.0.1:5432/registry_test")


# Text-search structures made by raw DDL in migrations 0002 and 0008 (FTS5 tables search_fts* and
# their shadow tables, trigram and gram-array GIN indexes).
RAW_DDL_NAMES = ("search_fts", "ix_search_document_body_trgm", "ix_information_item_name_trgm",
                 "ix_search_document_grams_gin", "ix_search_name_name_trgm", "ix_search_name_grams_gin")


def _include_name(name, type_, parent_names) -> bool:
    return not (name or "").startswith(RAW_DDL_NAMES)


def _schema_diff(url: str) -> list:
    import_all_models()
    engine = make_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _include_name})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return diff


def test_upgrade_from_empty_sqlite_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    assert _schema_diff(url) == []
    engine = create_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() in current_heads(url)
        # later migrations must not rebuild search_document in batch mode: that drops its FTS triggers
        triggers = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert {"search_document_ai", "search_document_ad", "search_document_au"} <= triggers


def test_migration_history_has_one_head():
    assert len(current_heads("sqlite://")) == 1


@pytest.fixture
def fresh_pg_database():
    """A new, empty PostgreSQL database (skipped only where no PostgreSQL server is reachable)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        conn = admin.connect()
    except Exception as exc:  # noqa: BLE001 - a missing server is the only reason to skip
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    name = f"registry_mig_{os.getpid()}"
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    conn.close()
    admin.dispose()


def test_upgrade_from_empty_postgresql_matches_the_models(fresh_pg_database):
    upgrade(fresh_pg_database)
    assert _schema_diff(fresh_pg_database) == []
