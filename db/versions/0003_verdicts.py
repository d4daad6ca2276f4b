"""filters: verdict, verdict_failure, llm_cache, filter_run, plausibility_counts

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28 18:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verdict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('judge', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('prompt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prompt_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('filter_run_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('candidate_id', 'judge', 'prompt_hash', name='uq_verdict_candidate_judge_prompt')
    )
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_verdict_judge_passed', ['judge', 'passed'], unique=False)

    op.create_table('verdict_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('judge', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('prompt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('filter_run_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('candidate_id', 'judge', 'prompt_hash', name='uq_failure_candidate_judge_prompt')
    )
    with op.batch_alter_table('verdict_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_failure_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('llm_cache',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prompt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('base_url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('temperature', sa.Float(), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('candidate', sa.Text(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('filter_run',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('judge', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('prompt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('config', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('selection', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('plausibility_counts',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('plausibility_counts')
    op.drop_table('filter_run')
    op.drop_table('llm_cache')
    with op.batch_alter_table('verdict_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdict_failure_candidate_id'))
    op.drop_table('verdict_failure')
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.drop_index('ix_verdict_judge_passed')
        batch_op.drop_index(batch_op.f('ix_verdict_candidate_id'))
    op.drop_table('verdict')
