"""Actions: analysts' corrections on events, the assignment's life (签收, 退回, 办结, 撤回),
cancelled milestones, labelled examples for retraining, validation notes on posts; post
identity no longer unique by (platform, id) or URL alone; one unit, one role per event.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:40:29.382816
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import pipeline.storage.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_RANK = ("(CASE {t}.role WHEN 'primary' THEN 0 WHEN 'cooperating' THEN 1 WHEN 'transfer' THEN 2 "
         "WHEN 'coordinator' THEN 3 ELSE 4 END)")


def upgrade() -> None:
    op.create_table('labelled_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('previous', sa.String(length=64), nullable=True),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_labelled_examples_event_id_events')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_labelled_examples_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labelled_examples')),
    sa.UniqueConstraint('post_id', 'kind', name=op.f('uq_labelled_examples_post_id_kind'))
    )
    with op.batch_alter_table('labelled_examples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_labelled_examples_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_labelled_examples_post_id'), ['post_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accepted_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('returned_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_deadlines_assignment_id_milestone'), type_='unique')
        batch_op.create_index('ux_deadlines_open_milestone', ['assignment_id', 'milestone'], unique=True,
                              sqlite_where=sa.text('cancelled_at IS NULL'),
                              postgresql_where=sa.text('cancelled_at IS NULL'))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_topic', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('override_relevant', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('override_rumor', sa.Boolean(), nullable=True))

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_posts_canonical_url'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_posts_platform_platform_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_posts_canonical_url'), ['canonical_url'], unique=False)
        batch_op.create_index('ix_posts_platform_platform_id', ['platform', 'platform_id'], unique=False)

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=64), nullable=True))

    # One unit, one role per event: keep each unit's most responsible role (primary, then
    # cooperating, transfer, coordinator). Only primary assignments hold deadlines, and a
    # primary is never the one removed.
    op.execute(f"""
        DELETE FROM assignments WHERE id IN (
            SELECT a.id FROM assignments a JOIN assignments b
              ON a.event_id = b.event_id AND a.unit_id = b.unit_id AND a.id <> b.id
            WHERE {_RANK.format(t='a')} > {_RANK.format(t='b')}
               OR ({_RANK.format(t='a')} = {_RANK.format(t='b')} AND a.id > b.id))""")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_assignments_event_id_unit_id_role'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assignments_event_id_unit_id'), ['event_id', 'unit_id'])



def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_assignments_event_id_unit_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_assignments_event_id_unit_id_role'), ['event_id', 'unit_id', 'role'])
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('recorded_by')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_platform_platform_id')
        batch_op.drop_index(batch_op.f('ix_posts_canonical_url'))
        batch_op.create_unique_constraint(batch_op.f('uq_posts_platform_platform_id'), ['platform', 'platform_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_posts_canonical_url'), ['canonical_url'])
        batch_op.drop_column('notes')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('override_rumor')
        batch_op.drop_column('override_relevant')
        batch_op.drop_column('override_topic')

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ux_deadlines_open_milestone')
        batch_op.create_unique_constraint(batch_op.f('uq_deadlines_assignment_id_milestone'), ['assignment_id', 'milestone'])
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('return_reason')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('accepted_by')
        batch_op.drop_column('accepted_at')

    with op.batch_alter_table('labelled_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_labelled_examples_post_id'))
        batch_op.drop_index(batch_op.f('ix_labelled_examples_event_id'))

    op.drop_table('labelled_examples')
