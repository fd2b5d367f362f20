"""Reports: the scheduled 日报 / 周报 / 月报 and 考核通报 and the automatic 舆情专报 the system
produced, keyed so that each is produced and announced once, and listed for the web app.

Revision ID: 0007r
Revises: 0006
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import pipeline.storage.models

revision = '0007r'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', pipeline.storage.models.TZDateTime(timezone=True), nullable=True),
    sa.Column('period_end', pipeline.storage.models.TZDateTime(timezone=True), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.String(length=8), nullable=True),
    sa.Column('files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_reports_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('key', name=op.f('uq_reports_key'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_kind'), ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_kind'))
        batch_op.drop_index(batch_op.f('ix_reports_event_id'))
        batch_op.drop_index(batch_op.f('ix_reports_created_at'))
    op.drop_table('reports')
