"""record targets and stored assessments

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "record_targets",
        sa.Column("uid", sa.String(length=120), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("civilian", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["incidents.uid"],
            name=op.f("fk_record_targets_uid_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_record_targets")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gawahi_version", sa.String(length=20), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("datasets", sa.Text(), nullable=False),
        sa.Column("link_run_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("assessments")
    op.drop_table("record_targets")
