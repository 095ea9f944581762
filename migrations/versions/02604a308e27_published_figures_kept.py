"""Published figures (published_figures): figures about young people as protected, kept
per subject (a quarter, or the achievements) and scope (a grant, or the programme)

Revision ID: 02604a308e27
Revises: e113d3d6d305
Create Date: 2026-12-02 12:23:13.405949

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '02604a308e27'
down_revision = 'e113d3d6d305'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('published_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_figures')),
    sa.UniqueConstraint('subject', 'scope', name='uq_published_figures_subject_scope')
    )
    with op.batch_alter_table('published_figures', schema=None) as batch_op:
        batch_op.create_index('ix_published_figures_subject_fingerprint', ['subject', 'fingerprint'], unique=False)



def downgrade():
    with op.batch_alter_table('published_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_published_figures_subject_fingerprint')

    op.drop_table('published_figures')
