"""Memberships and partners carry a version, so two people changing one at once conflict

Revision ID: 8c3d2f1a9b47
Revises: 127b0385f2d6
Create Date: 2026-12-01 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c3d2f1a9b47'
down_revision = '127b0385f2d6'
branch_labels = None
depends_on = None

TABLES = ('consortium_memberships', 'consortium_partners')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            # Existing rows start at version 1, as new rows do.
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                          server_default='1'))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('version')
