"""Prepared documents (prepared_documents): panel packs and programme reports made by the
scheduler, one row per kind, subject and fingerprint of the data

Revision ID: e113d3d6d305
Revises: 8543a28fa3cc
Create Date: 2026-12-02 06:36:58.989717

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e113d3d6d305'
down_revision = '8543a28fa3cc'
branch_labels = None
depends_on = None


def upgrade():
    # One row per document ever asked for: two people asking at once share it.
    op.create_table('prepared_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('panel_pack', 'programme_report', name='document_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'preparing', 'ready', 'failed', name='document_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('storage_key', sa.String(length=160), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.CheckConstraint("(status != 'ready') OR (storage_key IS NOT NULL)", name=op.f('ck_prepared_documents_ready_has_file')),
    sa.CheckConstraint('attempts BETWEEN 0 AND 3', name=op.f('ck_prepared_documents_attempts_bounded')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_prepared_documents_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_documents')),
    sa.UniqueConstraint('kind', 'subject_id', 'fingerprint', name='uq_prepared_documents_kind_subject_fingerprint')
    )
    with op.batch_alter_table('prepared_documents', schema=None) as batch_op:
        # The worker's question: the oldest queued document.
        batch_op.create_index('ix_prepared_documents_status_requested_at', ['status', 'requested_at'], unique=False)



def downgrade():
    with op.batch_alter_table('prepared_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_prepared_documents_status_requested_at')

    op.drop_table('prepared_documents')
