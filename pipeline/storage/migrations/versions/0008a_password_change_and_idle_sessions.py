"""Sign-in hardening: a user whose password an administrator chose must choose their own
(``users.must_change_password``), and sessions record their last use for the idle timeout
(``web_sessions.last_seen_at``).

Every password existing before this revision was chosen by an administrator (users could not
change their own), so every existing user is asked to choose their own at the next request.

Revision ID: 0008a
Revises: 0007e
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pipeline.storage.models

revision = '0008a'
down_revision = '0007e'
branch_labels = None
depends_on = None

TZ = pipeline.storage.models.TZDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(sa.text("UPDATE users SET must_change_password = :yes").bindparams(yes=True))
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', TZ, nullable=True))
    op.execute("UPDATE web_sessions SET last_seen_at = created_at")
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=TZ, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
