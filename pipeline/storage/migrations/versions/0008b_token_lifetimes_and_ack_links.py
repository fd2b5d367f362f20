"""Tokens as an ASVS level-2 review asks: API tokens expire (existing ones 90 days after this
upgrade, so that no integration breaks at once) and record their last use, and a name can be
reused once its token is dead; alerts' acknowledgement codes move to ``ack_links``, stored only
as SHA-256 (existing plain codes are hashed here, so links already sent keep working until their
event closes); an acknowledgement records how, from where and whether its name is self-declared.

Revision ID: 0008b
Revises: 0008a
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import pipeline.storage.models

revision = '0008b'
down_revision = '0008a'
branch_labels = None
depends_on = None

TZ = pipeline.storage.models.TZDateTime(timezone=True)
EXISTING_TOKEN_DAYS = 90


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def upgrade() -> None:
    _api_tokens()
    ack_links = op.create_table('ack_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('created_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_ack_links_alert_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ack_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_ack_links_token_hash'))
    )
    op.create_index(op.f('ix_ack_links_alert_id'), 'ack_links', ['alert_id'], unique=False)
    alerts = sa.table('alerts', sa.column('id', sa.Integer()), sa.column('ack_token', sa.String()),
                      sa.column('created_at', TZ))
    bind = op.get_bind()
    rows = [{"alert_id": i, "token_hash": _digest(t), "channel": None, "created_at": c}
            for i, t, c in bind.execute(sa.select(alerts.c.id, alerts.c.ack_token, alerts.c.created_at))]
    if rows:
        bind.execute(ack_links.insert(), rows)
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_alerts_ack_token'), type_='unique')
        batch_op.drop_column('ack_token')
        batch_op.add_column(sa.Column('acknowledged_via', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_channel', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_from', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_declared', sa.Boolean(), nullable=True))


def _api_tokens() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('last_used_at', TZ, nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_api_tokens_name'), type_='unique')
        batch_op.create_index(batch_op.f('ix_api_tokens_name'), ['name'], unique=False)
    tokens = sa.table('api_tokens', sa.column('expires_at', TZ))
    op.get_bind().execute(sa.update(tokens).values(
        expires_at=datetime.now(UTC) + timedelta(days=EXISTING_TOKEN_DAYS)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=TZ, nullable=False)


def downgrade() -> None:
    """Plain codes cannot be recovered from their hashes: alerts get new random codes (links
    already sent stop working), which the old schema needs."""
    op.drop_index(op.f('ix_ack_links_alert_id'), table_name='ack_links')
    op.drop_table('ack_links')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('acknowledged_declared')
        batch_op.drop_column('acknowledged_from')
        batch_op.drop_column('acknowledged_channel')
        batch_op.drop_column('acknowledged_via')
        batch_op.add_column(sa.Column('ack_token', sa.String(length=32), nullable=True))
    alerts = sa.table('alerts', sa.column('id', sa.Integer()), sa.column('ack_token', sa.String()))
    bind = op.get_bind()
    for (alert_id,) in bind.execute(sa.select(alerts.c.id)).all():
        bind.execute(sa.update(alerts).where(alerts.c.id == alert_id).values(ack_token=secrets.token_hex(8)))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.alter_column('ack_token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_alerts_ack_token'), ['ack_token'])
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_name'))
        batch_op.create_unique_constraint(batch_op.f('uq_api_tokens_name'), ['name'])
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
