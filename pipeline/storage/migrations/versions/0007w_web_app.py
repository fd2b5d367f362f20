"""The web app: users, browser sessions, API tokens of other systems, failed sign-ins (rate
limits) and the desk's search index (certainty; FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: 0007w
Revises: 0007r
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pipeline.storage.models

revision = '0007w'
down_revision = '0007r'
branch_labels = None
depends_on = None

TZ = pipeline.storage.models.TZDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('password_changed_at', TZ, nullable=False),
    sa.Column('disabled_at', TZ, nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_index(op.f('ix_users_unit_id'), 'users', ['unit_id'], unique=False)
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('expires_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_index(op.f('ix_web_sessions_expires_at'), 'web_sessions', ['expires_at'], unique=False)
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('revoked_at', TZ, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('name', name=op.f('uq_api_tokens_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_table('signin_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_attempts'))
    )
    for column in ('username', 'address', 'at'):
        op.create_index(op.f(f'ix_signin_attempts_{column}'), 'signin_attempts', [column], unique=False)
    op.create_table('post_index',
    sa.Column('post_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('certainty', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_index_post_id_posts')),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_post_index'))
    )
    op.create_index(op.f('ix_post_index_certainty'), 'post_index', ['certainty'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE post_index ADD COLUMN tsv tsvector")
        op.execute("CREATE INDEX ix_post_index_tsv ON post_index USING gin (tsv)")
    else:
        # Contentless: the tokens are indexed, not stored twice; rowid is the post id.
        op.execute("CREATE VIRTUAL TABLE post_fts USING fts5(tokens, content='', tokenize='unicode61')")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute("DROP TABLE IF EXISTS post_fts")
    for table in ('post_index', 'signin_attempts', 'api_tokens', 'web_sessions', 'users'):
        op.drop_table(table)
