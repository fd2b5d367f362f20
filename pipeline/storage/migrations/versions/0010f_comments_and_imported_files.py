"""Comments attached to their posts (MediaCrawler's comment files) and the files a folder source
or an import has read (each file once, by size, modification time and SHA-256).

Revision ID: 0010f
Revises: 0009r
Create Date: 2026-12-06 21:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import pipeline.storage.models

revision = '0010f'
down_revision = '0009r'
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('comment_id', sa.String(length=128), nullable=False),
    sa.Column('note_id', sa.String(length=128), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('parent_comment_id', sa.String(length=128), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=True),
    sa.Column('published_precision', sa.String(length=8), nullable=True),
    sa.Column('likes', sa.BigInteger(), nullable=True),
    sa.Column('replies', sa.BigInteger(), nullable=True),
    sa.Column('ip_location', sa.String(length=64), nullable=True),
    sa.Column('raw', json_type, nullable=False),
    sa.Column('first_seen_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_comments_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments')),
    sa.UniqueConstraint('platform', 'comment_id', name=op.f('uq_comments_platform_comment_id'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_platform_note_id', ['platform', 'note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_post_id'), ['post_id'], unique=False)
    op.create_table('imported_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mtime', sa.Float(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('processed_at', pipeline.storage.models.TZDateTime(timezone=True), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('comments', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_files')),
    sa.UniqueConstraint('source', 'sha256', name=op.f('uq_imported_files_source_sha256'))
    )
    with op.batch_alter_table('imported_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_files_source'), ['source'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('imported_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_files_source'))
    op.drop_table('imported_files')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_post_id'))
        batch_op.drop_index('ix_comments_platform_note_id')
    op.drop_table('comments')
