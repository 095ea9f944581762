"""Signed-in sessions kept on the server (user_sessions); sign-in throttling instead of
lockout

Revision ID: 8543a28fa3cc
Revises: 8c3d2f1a9b47
Create Date: 2026-12-01 22:07:26.459387

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8543a28fa3cc'
down_revision = '8c3d2f1a9b47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    # SHA-256 of the token in the session cookie; the token itself is never stored.
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.Enum('signed_out', 'password_changed', 'password_set', 'deactivated', 'access_changed', name='session_end', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    # Wrong passwords, each kept for a minute against a keyed hash of what it counts for.
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_key_hash_failed_at', ['key_hash', 'failed_at'], unique=False)

    # The lockout goes: throttling counts in sign_in_failures instead.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_failed_sign_in_count_not_negative'), type_='check')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_in_count')
        batch_op.drop_column('first_failed_sign_in_at')



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_in_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('first_failed_sign_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_users_failed_sign_in_count_not_negative'), 'failed_sign_in_count >= 0')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('failed_sign_in_count', server_default=None)

    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_key_hash_failed_at')

    op.drop_table('sign_in_failures')

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
