"""foundation catalog accounts audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 17:30:07.030536
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_entity_type'), ['entity_type'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('department','institution','soe','school','hospital')", name=op.f('ck_unit_kind')),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code')),
    sa.UniqueConstraint('name', name=op.f('uq_unit_name'))
    )
    op.create_table('information_system',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('network', sa.String(length=20), nullable=False),
    sa.Column('in_directory', sa.Boolean(), nullable=False),
    sa.Column('directory_date', sa.Date(), nullable=True),
    sa.Column('directory_decided_by', sa.String(length=100), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("network IN ('egov','internet','isolated','classified')", name=op.f('ck_information_system_network')),
    sa.CheckConstraint("status IN ('building','running','stopped','merged')", name=op.f('ck_information_system_status')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_information_system_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_system')),
    sa.UniqueConstraint('code', name=op.f('uq_information_system_code')),
    sa.UniqueConstraint('unit_id', 'name', name=op.f('uq_information_system_unit_id'))
    )
    with op.batch_alter_table('information_system', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_information_system_unit_id'), ['unit_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role <> 'department' OR unit_id IS NOT NULL", name=op.f('ck_user_account_department_has_unit')),
    sa.CheckConstraint("role IN ('department','bureau','finance','reviewer','admin')", name=op.f('ck_user_account_role')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_user_account_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('last_used', sa.DateTime(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('information_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('resource_code', sa.String(length=100), nullable=True),
    sa.Column('format_class', sa.String(length=30), nullable=True),
    sa.Column('format_type', sa.String(length=60), nullable=True),
    sa.Column('sharing_type', sa.String(length=20), nullable=False),
    sa.Column('sharing_method', sa.String(length=20), nullable=True),
    sa.Column('open_to_public', sa.Boolean(), nullable=False),
    sa.Column('open_conditions', sa.Text(), nullable=False),
    sa.Column('update_cycle', sa.String(length=30), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("sharing_method IS NULL OR sharing_method IN ('platform','api','database','document')", name=op.f('ck_information_resource_sharing_method')),
    sa.CheckConstraint("sharing_type IN ('unconditional','conditional','none')", name=op.f('ck_information_resource_sharing_type')),
    sa.ForeignKeyConstraint(['system_id'], ['information_system.id'], name=op.f('fk_information_resource_system_id_information_system'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_information_resource_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_resource')),
    sa.UniqueConstraint('name', name=op.f('uq_information_resource_name')),
    sa.UniqueConstraint('system_id', 'title', name=op.f('uq_information_resource_system_id'))
    )
    with op.batch_alter_table('information_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_information_resource_system_id'), ['system_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_information_resource_unit_id'), ['unit_id'], unique=False)

    op.create_table('information_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data_type', sa.String(length=30), nullable=True),
    sa.Column('data_length', sa.Integer(), nullable=True),
    sa.Column('sharing_type', sa.String(length=20), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("sharing_type IS NULL OR sharing_type IN ('unconditional','conditional','none')", name=op.f('ck_information_item_sharing_type')),
    sa.CheckConstraint('data_length IS NULL OR data_length > 0', name=op.f('ck_information_item_data_length_positive')),
    sa.ForeignKeyConstraint(['resource_id'], ['information_resource.id'], name=op.f('fk_information_item_resource_id_information_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_item')),
    sa.UniqueConstraint('resource_id', 'name', name=op.f('uq_information_item_resource_id'))
    )
    with op.batch_alter_table('information_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_information_item_resource_id'), ['resource_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('information_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_information_item_resource_id'))

    op.drop_table('information_item')
    with op.batch_alter_table('information_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_information_resource_unit_id'))
        batch_op.drop_index(batch_op.f('ix_information_resource_system_id'))

    op.drop_table('information_resource')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    op.drop_table('user_account')
    with op.batch_alter_table('information_system', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_information_system_unit_id'))

    op.drop_table('information_system')
    op.drop_table('unit')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_entity_type'))
        batch_op.drop_index(batch_op.f('ix_audit_log_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
