"""Sharing: requests and their items, sharing records, usage feedback, objections, provider
contacts, the in-app inbox and e-mail addresses (issue 10).

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25 18:06:01.342548
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_address',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_address_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_address'))
    )
    op.create_table('sharing_contact',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('contact_person', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=60), nullable=False),
    sa.Column('interface_address', sa.String(length=500), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['information_resource.id'], name=op.f('fk_sharing_contact_resource_id_information_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', name=op.f('pk_sharing_contact'))
    )
    op.create_table('sharing_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_unit_id', sa.Integer(), nullable=False),
    sa.Column('requester_system_id', sa.Integer(), nullable=True),
    sa.Column('requester_system_name', sa.String(length=200), nullable=False),
    sa.Column('provider_unit_id', sa.Integer(), nullable=False),
    sa.Column('provider_system_id', sa.Integer(), nullable=True),
    sa.Column('provider_system_name', sa.String(length=200), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('resource_title', sa.String(length=200), nullable=False),
    sa.Column('sharing_class', sa.String(length=20), nullable=False),
    sa.Column('answerer', sa.String(length=10), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('scenario', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('sharing_method', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answered_by', sa.String(length=60), nullable=True),
    sa.Column('answer_note', sa.Text(), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('refusal_basis', sa.Text(), nullable=False),
    sa.Column('refusal_basis_valid', sa.Boolean(), nullable=False),
    sa.Column('arbitration_decision', sa.String(length=12), nullable=True),
    sa.Column('arbitration_opinion', sa.Text(), nullable=False),
    sa.Column('arbitrated_by', sa.String(length=60), nullable=True),
    sa.Column('arbitrated_on', sa.Date(), nullable=True),
    sa.Column('overdue_notified', sa.Boolean(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("answerer IN ('provider','bureau')", name=op.f('ck_sharing_request_answerer')),
    sa.CheckConstraint("origin IN ('resource','item_search','finding','provider_hint')", name=op.f('ck_sharing_request_origin')),
    sa.CheckConstraint("sharing_class IN ('unconditional','conditional','none')", name=op.f('ck_sharing_request_sharing_class')),
    sa.CheckConstraint("sharing_method IN ('platform','api','database','document')", name=op.f('ck_sharing_request_sharing_method')),
    sa.CheckConstraint("status <> 'refused' OR (refusal_reason <> '' AND refusal_basis <> '')", name=op.f('ck_sharing_request_refusal_has_basis')),
    sa.CheckConstraint("status IN ('pending','approved','partial','refused','withdrawn')", name=op.f('ck_sharing_request_status')),
    sa.CheckConstraint('period_end IS NULL OR period_end >= period_start', name=op.f('ck_sharing_request_period_order')),
    sa.CheckConstraint('requester_unit_id <> provider_unit_id', name=op.f('ck_sharing_request_other_unit')),
    sa.ForeignKeyConstraint(['provider_system_id'], ['information_system.id'], name=op.f('fk_sharing_request_provider_system_id_information_system'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_unit_id'], ['unit.id'], name=op.f('fk_sharing_request_provider_unit_id_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['requester_system_id'], ['information_system.id'], name=op.f('fk_sharing_request_requester_system_id_information_system'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_unit_id'], ['unit.id'], name=op.f('fk_sharing_request_requester_unit_id_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['resource_id'], ['information_resource.id'], name=op.f('fk_sharing_request_resource_id_information_resource'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_request'))
    )
    with op.batch_alter_table('sharing_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_request_provider_system_id'), ['provider_system_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_request_provider_unit_id'), ['provider_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_request_requester_system_id'), ['requester_system_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_request_requester_unit_id'), ['requester_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_request_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index('ix_sharing_request_status_due', ['status', 'due_on'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('email_status', sa.String(length=10), nullable=False),
    sa.Column('email_error', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint("email_status IN ('none','pending','sent','failed')", name=op.f('ck_notification_email_status')),
    sa.ForeignKeyConstraint(['request_id'], ['sharing_request.id'], name=op.f('fk_notification_request_id_sharing_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('sharing_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('provider_unit_id', sa.Integer(), nullable=False),
    sa.Column('provider_system_id', sa.Integer(), nullable=True),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('resource_title', sa.String(length=200), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('consumer_unit_id', sa.Integer(), nullable=False),
    sa.Column('consumer_system_id', sa.Integer(), nullable=True),
    sa.Column('sharing_method', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('contact_person', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=60), nullable=False),
    sa.Column('interface_address', sa.String(length=500), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('active','revoked')", name=op.f('ck_sharing_record_status')),
    sa.CheckConstraint('end_on IS NULL OR end_on >= start_on', name=op.f('ck_sharing_record_period_order')),
    sa.ForeignKeyConstraint(['consumer_system_id'], ['information_system.id'], name=op.f('fk_sharing_record_consumer_system_id_information_system'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consumer_unit_id'], ['unit.id'], name=op.f('fk_sharing_record_consumer_unit_id_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['provider_system_id'], ['information_system.id'], name=op.f('fk_sharing_record_provider_system_id_information_system'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_unit_id'], ['unit.id'], name=op.f('fk_sharing_record_provider_unit_id_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['request_id'], ['sharing_request.id'], name=op.f('fk_sharing_record_request_id_sharing_request'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['resource_id'], ['information_resource.id'], name=op.f('fk_sharing_record_resource_id_information_resource'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_record')),
    sa.UniqueConstraint('request_id', name=op.f('uq_sharing_record_request_id'))
    )
    with op.batch_alter_table('sharing_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_record_consumer_unit_id'), ['consumer_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sharing_record_provider_unit_id'), ['provider_unit_id'], unique=False)

    op.create_table('sharing_request_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('sharing_type', sa.String(length=20), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=True),
    sa.CheckConstraint("sharing_type IN ('unconditional','conditional','none')", name=op.f('ck_sharing_request_item_sharing_type')),
    sa.ForeignKeyConstraint(['item_id'], ['information_item.id'], name=op.f('fk_sharing_request_item_item_id_information_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['sharing_request.id'], name=op.f('fk_sharing_request_item_request_id_sharing_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_request_item'))
    )
    with op.batch_alter_table('sharing_request_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_request_item_request_id'), ['request_id'], unique=False)

    op.create_table('sharing_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('usage', sa.Text(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=True),
    sa.Column('effect', sa.Text(), nullable=False),
    sa.Column('submitted_by', sa.String(length=60), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['sharing_record.id'], name=op.f('fk_sharing_feedback_record_id_sharing_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_feedback'))
    )
    with op.batch_alter_table('sharing_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_feedback_record_id'), ['record_id'], unique=False)

    op.create_table('sharing_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('item_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_by', sa.String(length=60), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by', sa.String(length=60), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('wrong','stale','missing')", name=op.f('ck_sharing_objection_kind')),
    sa.CheckConstraint("result IS NULL OR result IN ('corrected','explained','rejected')", name=op.f('ck_sharing_objection_result')),
    sa.ForeignKeyConstraint(['item_id'], ['information_item.id'], name=op.f('fk_sharing_objection_item_id_information_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['sharing_record.id'], name=op.f('fk_sharing_objection_record_id_sharing_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_objection'))
    )
    with op.batch_alter_table('sharing_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_objection_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sharing_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_objection_record_id'))

    op.drop_table('sharing_objection')
    with op.batch_alter_table('sharing_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_feedback_record_id'))

    op.drop_table('sharing_feedback')
    with op.batch_alter_table('sharing_request_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_request_item_request_id'))

    op.drop_table('sharing_request_item')
    with op.batch_alter_table('sharing_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_record_provider_unit_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_record_consumer_unit_id'))

    op.drop_table('sharing_record')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')

    op.drop_table('notification')
    with op.batch_alter_table('sharing_request', schema=None) as batch_op:
        batch_op.drop_index('ix_sharing_request_status_due')
        batch_op.drop_index(batch_op.f('ix_sharing_request_resource_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_request_requester_unit_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_request_requester_system_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_request_provider_unit_id'))
        batch_op.drop_index(batch_op.f('ix_sharing_request_provider_system_id'))

    op.drop_table('sharing_request')
    op.drop_table('sharing_contact')
    op.drop_table('notification_address')
