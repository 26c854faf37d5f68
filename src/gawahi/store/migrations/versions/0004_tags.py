"""tags: victim-group, perpetrator and context tags with provenance; tag decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add tags, tag_state and tag_decisions."""
    op.create_table(
        "tags",
        _uid("tags"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("incident_uid", "position", name="pk_tags"),
    )
    op.create_index("ix_tags_tag_role", "tags", ["tag", "role"], unique=False)
    op.create_table(
        "tag_state",
        _uid("tag_state"),
        sa.Column("input_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("incident_uid", name="pk_tag_state"),
    )
    op.create_table(
        "tag_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        _uid("tag_decisions"),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tag_decisions"),
    )
    op.create_index(
        "ix_tag_decisions_incident_uid", "tag_decisions", ["incident_uid"], unique=False
    )


def _uid(table: str) -> sa.Column:
    return sa.Column(
        "incident_uid",
        sa.String(length=120),
        sa.ForeignKey(
            "incidents.uid", name=f"fk_{table}_incident_uid_incidents", ondelete="CASCADE"
        ),
        nullable=False,
    )


def downgrade() -> None:
    """Drop the tag tables."""
    op.drop_index("ix_tag_decisions_incident_uid", table_name="tag_decisions")
    op.drop_table("tag_decisions")
    op.drop_table("tag_state")
    op.drop_index("ix_tags_tag_role", table_name="tags")
    op.drop_table("tags")
