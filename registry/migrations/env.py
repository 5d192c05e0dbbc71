"""Alembic environment: the URL comes from the caller (registry.migrate) or REGISTRY_DATABASE_URL."""
from alembic import context

import registry.catalog.models
import registry.accounts.models
import registry.core.audit_log
import registry.core.jobs_model  # noqa: F401  (register every table)
from registry.core.db import Base, make_engine
from registry.core.plugins_models import import_all_models

import_all_models()
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
