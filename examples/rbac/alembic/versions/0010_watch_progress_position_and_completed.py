"""watch_progress: rename progress_seconds, add completed

Revision ID: 0010
Revises: 0009
Create Date: 2025-05-04 17:12:55.903772

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The player reports a position, not an amount watched.
    op.alter_column("watch_progress", "progress_seconds", new_column_name="position_seconds")
    op.add_column(
        "watch_progress",
        sa.Column("completed", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("watch_progress", "completed")
    op.alter_column("watch_progress", "position_seconds", new_column_name="progress_seconds")
