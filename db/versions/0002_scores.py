"""scoring: score_run, candidate_score, embedding_cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('score_run',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('model_id', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('config', sa.Text(), nullable=False),
    sa.Column('params', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('versions', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('score_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_run_model_id'), ['model_id'], unique=False)

    op.create_table('candidate_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('run_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('pos_sim', sa.Float(), nullable=False),
    sa.Column('neg_sim', sa.Float(), nullable=False),
    sa.Column('margin', sa.Float(), nullable=False),
    sa.Column('tie', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['score_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('candidate_id', 'model_id', name='uq_candidate_score_model')
    )
    with op.batch_alter_table('candidate_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_score_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_candidate_score_model_margin', ['model_id', 'margin'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_score_run_id'), ['run_id'], unique=False)

    op.create_table('embedding_cache',
    sa.Column('model_id', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('model_id', 'kind', 'content_hash')
    )


def downgrade() -> None:
    op.drop_table('embedding_cache')
    with op.batch_alter_table('candidate_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_score_run_id'))
        batch_op.drop_index('ix_candidate_score_model_margin')
        batch_op.drop_index(batch_op.f('ix_candidate_score_candidate_id'))

    op.drop_table('candidate_score')
    with op.batch_alter_table('score_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_run_model_id'))

    op.drop_table('score_run')
