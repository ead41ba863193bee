"""the inbox's search: applicants' names folded

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05

dossier.applicant_name_key holds the applicant's name in lower case without diacritics ("nguyen van
an"), so that the inbox finds a name however it is typed, on SQLite and PostgreSQL alike; existing
dossiers get theirs here.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    # a copy of workflows.search_keys.fold as it was when this migration was written
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_name_key', sa.String(length=255), server_default='', nullable=False))
    dossier = sa.table('dossier', sa.column('id', sa.Integer), sa.column('applicant_name', sa.String),
                       sa.column('applicant_name_key', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(dossier.c.id, dossier.c.applicant_name)).all()
    for row in rows:
        connection.execute(dossier.update().where(dossier.c.id == row.id)
                           .values(applicant_name_key=_fold(row.applicant_name or "")))


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('applicant_name_key')
