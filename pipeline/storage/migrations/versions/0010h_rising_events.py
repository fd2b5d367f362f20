"""快速升温 (issue 19): an event's rise is stored on it — the highest level reached, when it
last rose, and the figures that showed it ("近1小时 48 条，前6小时平均 3 条/小时").

Revision ID: 0010h
Revises: 0010f
Create Date: 2026-12-06 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pipeline.storage.models

revision = '0010h'
down_revision = '0010f'
branch_labels = None
depends_on = None

TZ = pipeline.storage.models.TZDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rising_level', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rising_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('rising_figures', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('rising_figures')
        batch_op.drop_column('rising_at')
        batch_op.drop_column('rising_level')
