"""candidate: drop the index on caption_id alone; joins the three feature branches

The unique index on (caption_id, uid) already serves every lookup by caption_id (its first column), so
the single-column index only cost a B-tree insert per stored candidate. This revision also merges the
heads 0002 (scores), 0003 (verdicts) and 0004 (curation), which all branched from 0001.

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-29 01:00:00
"""

from alembic import op


revision = '0005'
down_revision = ('0002', '0003', '0004')
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain DROP INDEX (no batch mode): SQLite needs no table copy for it
    op.drop_index('ix_candidate_caption_id', table_name='candidate')


def downgrade() -> None:
    op.create_index('ix_candidate_caption_id', 'candidate', ['caption_id'], unique=False)
