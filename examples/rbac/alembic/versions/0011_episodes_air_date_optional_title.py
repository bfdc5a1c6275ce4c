"""episodes: add air_date, make title optional

Revision ID: 0011
Revises: 0010
Create Date: 2025-05-18 11:47:31.265019

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    # Announced episodes have a number and an air date long before they have a title.
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("air_date", sa.Date(), nullable=True))
        batch_op.alter_column("title", existing_type=sa.String(length=255), nullable=True)


def downgrade():
    op.execute("UPDATE episodes SET title = 'Episode ' || number WHERE title IS NULL")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column("air_date")
