"""Retention of personal data (data/config/retention.yaml): a post records what a purge removed
from it (``personal``: author, links and the raw record; ``text``: also its title and text) and
when, so a purge never counts or rewrites a post twice and a page can say why a text is gone.

Revision ID: 0010o
Revises: 0010h
Create Date: 2026-12-06 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pipeline.storage.models

revision = '0010o'
down_revision = '0010h'
branch_labels = None
depends_on = None

TZ = pipeline.storage.models.TZDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('purged_at', TZ, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('purged')
