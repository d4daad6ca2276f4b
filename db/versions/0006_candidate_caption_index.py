"""candidate: drop the index on caption_id alone

The unique index on (caption_id, uid) already serves every lookup by caption_id (its first column), so
the single-column index only cost a B-tree insert per stored candidate. Its own branch off 0001, like
every feature's migration (docs/CONVENTIONS.md; the app runs `upgrade heads`).

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-29 01:00:00
"""

from alembic import op


revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain DROP INDEX (no batch mode): SQLite needs no table copy for it
    op.drop_index('ix_candidate_caption_id', table_name='candidate')


def downgrade() -> None:
    op.create_index('ix_candidate_caption_id', 'candidate', ['caption_id'], unique=False)
