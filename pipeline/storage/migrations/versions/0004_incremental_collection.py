"""Incremental collection: HTTP validators per source URL, adaptive polling interval and next due time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 04:23:49.769875
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import pipeline.storage.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('http_validators', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('poll_minutes', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('next_due_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('next_due_at')
        batch_op.drop_column('poll_minutes')
        batch_op.drop_column('http_validators')

