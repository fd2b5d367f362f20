"""Trust: sentiment of posts and events (and an analyst's correction of it), why an item was set
aside as 无关, which monitoring schemes a post matched, the 待复核 flag of an event with its
reasons, and the model versions behind each event's decision.

Revision ID: 0007t
Revises: 0007w
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007t'
down_revision = '0007w'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sentiment', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('irrelevant_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('schemes', _JSON, nullable=True))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sentiment', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('override_sentiment', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('irrelevant_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('review_reasons', _JSON, nullable=True))
        batch_op.add_column(sa.Column('model_versions', _JSON, nullable=True))
        batch_op.create_index(batch_op.f('ix_events_needs_review'), ['needs_review'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_needs_review'))
        for column in ('model_versions', 'review_reasons', 'needs_review', 'irrelevant_reason',
                       'override_sentiment', 'sentiment'):
            batch_op.drop_column(column)
    with op.batch_alter_table('posts', schema=None) as batch_op:
        for column in ('schemes', 'irrelevant_reason', 'sentiment'):
            batch_op.drop_column(column)
