"""funding: master directory history, evidence records, budget reconciliation runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:04:39.700915
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_budget_run_year_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_run'))
    )


    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('unit_text', sa.String(length=200), nullable=False),
    sa.Column('system_text', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('system_id', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('matched','suggested','unmatched','confirmed','rejected')", name=op.f('ck_budget_line_state')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_budget_line_amount_not_negative')),
    sa.ForeignKeyConstraint(['run_id'], ['budget_run.id'], name=op.f('fk_budget_line_run_id_budget_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['system_id'], ['information_system.id'], name=op.f('fk_budget_line_system_id_information_system'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_budget_line_unit_id_unit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_run_id'), ['run_id'], unique=False)

    op.create_table('directory_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind <> 'merge' OR merged_into_id IS NOT NULL", name=op.f('ck_directory_event_merge_has_target')),
    sa.CheckConstraint("kind IN ('admit','retire','merge')", name=op.f('ck_directory_event_kind')),
    sa.CheckConstraint('merged_into_id IS NULL OR merged_into_id <> system_id', name=op.f('ck_directory_event_not_merged_into_itself')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['information_system.id'], name=op.f('fk_directory_event_merged_into_id_information_system'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['system_id'], ['information_system.id'], name=op.f('fk_directory_event_system_id_information_system'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_event'))
    )
    with op.batch_alter_table('directory_event', schema=None) as batch_op:
        batch_op.create_index('ix_directory_event_system_effective', ['system_id', 'effective_on'], unique=False)

    op.create_table('funding_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=True),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.CheckConstraint("result IN ('passed','failed','approved','refused','open','closed','connected','not_connected')", name=op.f('ck_funding_evidence_result')),
    sa.CheckConstraint('file_size IS NULL OR file_size >= 0', name=op.f('ck_funding_evidence_file_size_positive')),
    sa.CheckConstraint('valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from', name=op.f('ck_funding_evidence_validity_ordered')),
    sa.ForeignKeyConstraint(['resource_id'], ['information_resource.id'], name=op.f('fk_funding_evidence_resource_id_information_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['system_id'], ['information_system.id'], name=op.f('fk_funding_evidence_system_id_information_system'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_funding_evidence_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_evidence'))
    )
    with op.batch_alter_table('funding_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_funding_evidence_kind_system', ['kind', 'system_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_evidence_system_id'), ['system_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_evidence_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('funding_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_evidence_unit_id'))
        batch_op.drop_index(batch_op.f('ix_funding_evidence_system_id'))
        batch_op.drop_index('ix_funding_evidence_kind_system')
    op.drop_table('funding_evidence')
    with op.batch_alter_table('directory_event', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_event_system_effective')
    op.drop_table('directory_event')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_run_id'))
    op.drop_table('budget_line')
    op.drop_table('budget_run')
