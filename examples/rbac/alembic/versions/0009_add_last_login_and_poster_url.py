"""add users.last_login_at and anime.poster_url

Revision ID: 0009
Revises: 0008
Create Date: 2025-04-20 13:33:08.190346

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("anime", sa.Column("poster_url", sa.String(length=500), nullable=True))


def downgrade():
    op.drop_column("anime", "poster_url")
    op.drop_column("users", "last_login_at")
