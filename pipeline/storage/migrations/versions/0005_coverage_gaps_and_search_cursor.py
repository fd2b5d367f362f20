"""Coverage gaps (source outages, truncated search windows) and the keyword search cursor.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:14:19.462920
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pipeline.storage.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coverage_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('start_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('end_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('filled_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_coverage_gaps_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_gaps')),
    sa.UniqueConstraint('source_id', 'kind', 'start_at', name=op.f('uq_coverage_gaps_source_id_kind_start_at'))
    )
    with op.batch_alter_table('coverage_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_gaps_end_at'), ['end_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_gaps_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_gaps_start_at'), ['start_at'], unique=False)

    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_covered_until', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('search_covered_until')

    with op.batch_alter_table('coverage_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_gaps_start_at'))
        batch_op.drop_index(batch_op.f('ix_coverage_gaps_source_id'))
        batch_op.drop_index(batch_op.f('ix_coverage_gaps_end_at'))

    op.drop_table('coverage_gaps')
