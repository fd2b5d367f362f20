"""One incident, one event: events merged into another are kept on record (merged_into); posts
record why they joined their event, the incident facts they give, and whether their MinHash is
one of the event's representatives for look-up.

Revision ID: 0007e
Revises: 0007t
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007e'
down_revision = '0007t'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_merged_into'), ['merged_into'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_events_merged_into_events'), 'events', ['merged_into'], ['id'])

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined', _JSON, nullable=True))
        batch_op.add_column(sa.Column('clues', _JSON, nullable=True))
        batch_op.add_column(sa.Column('indexed', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('indexed')
        batch_op.drop_column('clues')
        batch_op.drop_column('joined')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_merged_into_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_events_merged_into'))
        batch_op.drop_column('merged_into')
