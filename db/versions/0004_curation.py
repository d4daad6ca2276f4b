"""curation: benchmark sets, set items, decisions, final decisions

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('benchmark_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('benchmark_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benchmark_set_name'), ['name'], unique=True)

    op.create_table('set_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('item_hash', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('stratum', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.ForeignKeyConstraint(['set_id'], ['benchmark_set.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('set_id', 'item_hash', name='uq_set_item_hash')
    )
    with op.batch_alter_table('set_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_item_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_set_item_set_id'), ['set_id'], unique=False)
        batch_op.create_index('ix_set_item_order', ['set_id', 'position'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('annotator', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('item_hash', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('edit_candidate_id', sa.Integer(), nullable=True),
    sa.Column('set_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.ForeignKeyConstraint(['edit_candidate_id'], ['candidate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('annotator', 'item_hash', name='uq_decision_annotator_item')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_annotator'), ['annotator'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_item_hash'), ['item_hash'], unique=False)

    op.create_table('final_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_hash', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('edit_candidate_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.ForeignKeyConstraint(['edit_candidate_id'], ['candidate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_hash', name='uq_final_decision_item')
    )
    with op.batch_alter_table('final_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_decision_candidate_id'), ['candidate_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('final_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_decision_candidate_id'))
    op.drop_table('final_decision')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_item_hash'))
        batch_op.drop_index(batch_op.f('ix_decision_candidate_id'))
        batch_op.drop_index(batch_op.f('ix_decision_annotator'))
    op.drop_table('decision')
    with op.batch_alter_table('set_item', schema=None) as batch_op:
        batch_op.drop_index('ix_set_item_order')
        batch_op.drop_index(batch_op.f('ix_set_item_set_id'))
        batch_op.drop_index(batch_op.f('ix_set_item_candidate_id'))
    op.drop_table('set_item')
    with op.batch_alter_table('benchmark_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benchmark_set_name'))
    op.drop_table('benchmark_set')
