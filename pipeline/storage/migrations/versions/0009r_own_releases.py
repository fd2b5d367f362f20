"""The county's own releases (RULES.md §4): a response recorded from an official account's post
names that post (at most one response per post, so re-running triage never records it twice).

Revision ID: 0009r
Revises: 0008t
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009r'
down_revision = '0008t'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_responses_post_id'), ['post_id'], unique=True)
        batch_op.create_foreign_key(batch_op.f('fk_responses_post_id_posts'), 'posts', ['post_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_responses_post_id_posts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_responses_post_id'))
        batch_op.drop_column('post_id')
