"""A response without a link (a press conference, a briefing, an interview) names where it took
place (RULES.md §4: a response is recorded with its link, or what stands for it).

Revision ID: 0008t
Revises: 0008b
Create Date: 2026-12-06 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008t'
down_revision = '0008b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('place')
