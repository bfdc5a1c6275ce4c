"""add catalogue lookup indexes

Revision ID: 0012
Revises: 0011
Create Date: 2025-06-01 20:04:16.558841

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: Union[str, None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index(op.f("ix_anime_title"), "anime", ["title"], unique=False)
    op.create_index(op.f("ix_releases_anime_id"), "releases", ["anime_id"], unique=False)
    op.create_index(op.f("ix_favorites_anime_id"), "favorites", ["anime_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_favorites_anime_id"), table_name="favorites")
    op.drop_index(op.f("ix_releases_anime_id"), table_name="releases")
    op.drop_index(op.f("ix_anime_title"), table_name="anime")
