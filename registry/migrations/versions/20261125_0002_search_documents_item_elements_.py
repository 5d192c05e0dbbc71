"""search documents item elements duplicate findings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:45:59.560258
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


FTS_SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_document', "
    "content_rowid='resource_id', tokenize='trigram')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, body) VALUES (new.resource_id, new.body); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.resource_id, old.body); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.resource_id, old.body); "
    "INSERT INTO search_fts(rowid, body) VALUES (new.resource_id, new.body); END",
]
TRGM_POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_search_document_body_trgm ON search_document USING gin (body gin_trgm_ops)",
    "CREATE INDEX ix_information_item_name_trgm ON information_item USING gin (name gin_trgm_ops)",
]


def _text_search(create: bool) -> None:
    """Substring search acceleration: FTS5 trigram on SQLite, pg_trgm GIN indexes on PostgreSQL."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = FTS_SQLITE if create else [
            "DROP TRIGGER IF EXISTS search_document_ai", "DROP TRIGGER IF EXISTS search_document_ad",
            "DROP TRIGGER IF EXISTS search_document_au", "DROP TABLE IF EXISTS search_fts"]
    elif dialect == "postgresql":
        statements = TRGM_POSTGRESQL if create else [
            "DROP INDEX IF EXISTS ix_search_document_body_trgm", "DROP INDEX IF EXISTS ix_information_item_name_trgm"]
    else:
        statements = []
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table('duplicate_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=True),
    sa.Column('element_id', sa.String(length=20), nullable=True),
    sa.Column('element_name', sa.String(length=200), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('other_resource_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('provider_system_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_reuse_from_system_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reviewed_by', sa.String(length=60), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('item','resource')", name=op.f('ck_duplicate_finding_kind')),
    sa.CheckConstraint("role IN ('recollector','undecided','provider')", name=op.f('ck_duplicate_finding_role')),
    sa.CheckConstraint("state IN ('open','confirmed','dismissed')", name=op.f('ck_duplicate_finding_state')),
    sa.ForeignKeyConstraint(['system_id'], ['information_system.id'], name=op.f('fk_duplicate_finding_system_id_information_system'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_finding')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_duplicate_finding_fingerprint'))
    )
    with op.batch_alter_table('duplicate_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_finding_key'), ['key'], unique=False)
        batch_op.create_index('ix_duplicate_finding_state_active', ['state', 'active'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_finding_system_id'), ['system_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_finding_unit_id'), ['unit_id'], unique=False)

    op.create_table('search_outbox',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_search_outbox'))
    )
    op.create_table('search_document',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('elements', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['information_resource.id'], name=op.f('fk_search_document_resource_id_information_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_search_document'))
    )
    op.create_table('item_element',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=20), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=True),
    sa.Column('qualifier', sa.String(length=40), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_item_element'))
    )
    with op.batch_alter_table('item_element', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_element_element_id'), ['element_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_element_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_element_resource_id'), ['resource_id'], unique=False)
    _text_search(create=True)


def downgrade() -> None:
    _text_search(create=False)
    op.drop_table('search_outbox')
    with op.batch_alter_table('item_element', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_element_resource_id'))
        batch_op.drop_index(batch_op.f('ix_item_element_key'))
        batch_op.drop_index(batch_op.f('ix_item_element_element_id'))

    op.drop_table('item_element')
    op.drop_table('search_document')
    with op.batch_alter_table('duplicate_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_finding_unit_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_finding_system_id'))
        batch_op.drop_index('ix_duplicate_finding_state_active')
        batch_op.drop_index(batch_op.f('ix_duplicate_finding_key'))

    op.drop_table('duplicate_finding')
