"""Projects record their owner: the verified `sub` of the user who created them.

Projects created before this revision have no owner (NULL); nobody may change or delete them
through the API until an operator sets owner_sub (see apps/api/README.md).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("owner_sub", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("projects", "owner_sub")
