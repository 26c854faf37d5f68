"""release tracking: what each new release changed, and each import's row problems

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add incident_changes and import_problems."""
    op.create_table(
        "import_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_import_problems_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_problems")),
    )
    with op.batch_alter_table("import_problems", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_problems_dataset_id"), ["dataset_id"], unique=False
        )

    op.create_table(
        "incident_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_uid", sa.String(length=120), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("previous_dataset_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_incident_changes_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["incident_uid"],
            ["incidents.uid"],
            name=op.f("fk_incident_changes_incident_uid_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_dataset_id"],
            ["datasets.id"],
            name=op.f("fk_incident_changes_previous_dataset_id_datasets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_changes")),
    )
    with op.batch_alter_table("incident_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_changes_incident_uid"), ["incident_uid"], unique=False
        )


def downgrade() -> None:
    """Drop incident_changes and import_problems."""
    op.drop_table("incident_changes")
    op.drop_table("import_problems")
