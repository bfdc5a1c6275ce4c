"""add roles.is_system and flag the built-in roles

Revision ID: 0013
Revises: 0012
Create Date: 2025-06-15 10:26:42.731590

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "roles",
        sa.Column("is_system", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute("UPDATE roles SET is_system = true WHERE name IN ('admin', 'moderator', 'user')")


def downgrade():
    op.drop_column("roles", "is_system")
