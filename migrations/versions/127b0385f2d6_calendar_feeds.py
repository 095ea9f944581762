"""Calendar feeds: one secret calendar link per person, kept as a hash

Revision ID: 127b0385f2d6
Revises: 2b600ad43f9c
Create Date: 2026-11-24 23:03:46.421669

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '127b0385f2d6'
down_revision = '2b600ad43f9c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    # NULL once the link is stopped; both databases let many rows hold NULL here.
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name='uq_calendar_feeds_token_hash'),
    sa.UniqueConstraint('user_id', name='uq_calendar_feeds_user')
    )


def downgrade():
    op.drop_table('calendar_feeds')
