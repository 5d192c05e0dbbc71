"""projects lifecycle: project records, project list, stage history, adjustments, reports,
acceptances, extensions and the contractor blacklist (Art. 7–27, 35)

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 18:05:26.456102
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('competent_department', sa.String(length=200), nullable=False),
    sa.Column('leader', sa.String(length=60), nullable=False),
    sa.Column('leader_phone', sa.String(length=40), nullable=False),
    sa.Column('contact', sa.String(length=60), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('estimate_yuan', sa.BigInteger(), nullable=False),
    sa.Column('preparation', sa.Text(), nullable=False),
    sa.Column('schedule', sa.Text(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('filler', sa.String(length=60), nullable=False),
    sa.Column('filler_phone', sa.String(length=40), nullable=False),
    sa.Column('declaring_unit', sa.String(length=200), nullable=False),
    sa.Column('declared_on', sa.Date(), nullable=True),
    sa.Column('funding_source', sa.String(length=200), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=True),
    sa.Column('predecessor_post_evaluation', sa.Text(), nullable=False),
    sa.Column('feasibility_chapters', sa.JSON(), nullable=False),
    sa.Column('crypto_plan', sa.Text(), nullable=False),
    sa.Column('contractor', sa.String(length=200), nullable=False),
    sa.Column('contractor_credit_code', sa.String(length=40), nullable=False),
    sa.Column('supervisor', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rectify_by', sa.Date(), nullable=True),
    sa.Column('expert_opinion', sa.Text(), nullable=False),
    sa.Column('approved_total_yuan', sa.BigInteger(), nullable=True),
    sa.Column('approval_reference', sa.String(length=200), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('investment_reviewed_yuan', sa.BigInteger(), nullable=True),
    sa.Column('construction_started_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('new','continued','expansion')", name=op.f('ck_project_kind')),
    sa.CheckConstraint("stage IN ('declared','tech_review','decision','investment_review','construction','acceptance','operation','evaluation')", name=op.f('ck_project_stage')),
    sa.CheckConstraint("status IN ('normal','problem','rectifying','suspended')", name=op.f('ck_project_status')),
    sa.CheckConstraint('approved_total_yuan IS NULL OR approved_total_yuan > 0', name=op.f('ck_project_approved_total_positive')),
    sa.CheckConstraint('estimate_yuan >= 0', name=op.f('ck_project_estimate_not_negative')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['project.id'], name=op.f('fk_project_predecessor_id_project'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_project_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_unit_id'), ['unit_id'], unique=False)

    op.create_table('contractor_blacklist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=40), nullable=False),
    sa.Column('listed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.CheckConstraint('expires_on > listed_on', name=op.f('ck_contractor_blacklist_expiry_after_listing')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_contractor_blacklist_project_id_project'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contractor_blacklist'))
    )
    with op.batch_alter_table('contractor_blacklist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contractor_blacklist_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_contractor_blacklist_name'), ['name'], unique=False)

    op.create_table('project_acceptance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('organiser', sa.String(length=10), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.CheckConstraint("kind IN ('archive','completion')", name=op.f('ck_project_acceptance_kind')),
    sa.CheckConstraint("organiser IN ('bureau','self','archives')", name=op.f('ck_project_acceptance_organiser')),
    sa.CheckConstraint("result IN ('passed','failed')", name=op.f('ck_project_acceptance_result')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_acceptance_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_acceptance'))
    )
    with op.batch_alter_table('project_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_acceptance_project_id'), ['project_id'], unique=False)

    op.create_table('project_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('amount_yuan', sa.BigInteger(), nullable=False),
    sa.Column('new_total_yuan', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('targets_unchanged', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.CheckConstraint("outcome IN ('filed','full_procedure')", name=op.f('ck_project_adjustment_outcome')),
    sa.CheckConstraint('amount_yuan > 0', name=op.f('ck_project_adjustment_amount_positive')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_adjustment_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_adjustment'))
    )
    with op.batch_alter_table('project_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_adjustment_project_id'), ['project_id'], unique=False)

    op.create_table('project_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('transition', sa.String(length=40), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=False),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_event_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_event'))
    )
    with op.batch_alter_table('project_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_event_project_id'), ['project_id'], unique=False)

    op.create_table('project_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('requested_until', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('pending','approved','refused')", name=op.f('ck_project_extension_state')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_extension_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_extension'))
    )
    with op.batch_alter_table('project_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_extension_project_id'), ['project_id'], unique=False)

    op.create_table('project_list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('amount_yuan', sa.BigInteger(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('via_unit_id', sa.Integer(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("origin IN ('declared','filed','mandated','continuing','om')", name=op.f('ck_project_list_entry_origin')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_list_entry_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['via_unit_id'], ['unit.id'], name=op.f('fk_project_list_entry_via_unit_id_unit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_list_entry')),
    sa.UniqueConstraint('project_id', 'year', name=op.f('uq_project_list_entry_project_id'))
    )
    with op.batch_alter_table('project_list_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_list_entry_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_list_entry_year'), ['year'], unique=False)

    op.create_table('project_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('resource_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_part_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_project_part_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_part')),
    sa.UniqueConstraint('project_id', 'unit_id', name=op.f('uq_project_part_project_id'))
    )
    with op.batch_alter_table('project_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_part_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_part_unit_id'), ['unit_id'], unique=False)

    op.create_table('project_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('problem_kind', sa.String(length=10), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.CheckConstraint("kind IN ('performance','problem','self_evaluation','post_evaluation')", name=op.f('ck_project_report_kind')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_report_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_report')),
    sa.UniqueConstraint('project_id', 'kind', 'year', name=op.f('uq_project_report_project_id'))
    )
    with op.batch_alter_table('project_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_report_project_id'), ['project_id'], unique=False)

    op.create_table('project_system',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.CheckConstraint("relation IN ('build','change')", name=op.f('ck_project_system_relation')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_system_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['system_id'], ['information_system.id'], name=op.f('fk_project_system_system_id_information_system'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_system')),
    sa.UniqueConstraint('project_id', 'system_id', name=op.f('uq_project_system_project_id'))
    )
    with op.batch_alter_table('project_system', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_system_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_system_system_id'), ['system_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('project_system', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_system_system_id'))
        batch_op.drop_index(batch_op.f('ix_project_system_project_id'))
    op.drop_table('project_system')
    with op.batch_alter_table('project_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_report_project_id'))
    op.drop_table('project_report')
    with op.batch_alter_table('project_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_part_unit_id'))
        batch_op.drop_index(batch_op.f('ix_project_part_project_id'))
    op.drop_table('project_part')
    with op.batch_alter_table('project_list_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_list_entry_year'))
        batch_op.drop_index(batch_op.f('ix_project_list_entry_project_id'))
    op.drop_table('project_list_entry')
    with op.batch_alter_table('project_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_extension_project_id'))
    op.drop_table('project_extension')
    with op.batch_alter_table('project_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_event_project_id'))
    op.drop_table('project_event')
    with op.batch_alter_table('project_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_adjustment_project_id'))
    op.drop_table('project_adjustment')
    with op.batch_alter_table('project_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_acceptance_project_id'))
    op.drop_table('project_acceptance')
    with op.batch_alter_table('contractor_blacklist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contractor_blacklist_name'))
        batch_op.drop_index(batch_op.f('ix_contractor_blacklist_credit_code'))
    op.drop_table('contractor_blacklist')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_unit_id'))
    op.drop_table('project')
