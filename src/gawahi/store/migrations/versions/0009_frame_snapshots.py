"""frame snapshots, deleted by triggers whenever a table a frame reads changes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables an assessment's frame is read from (risk/frame.py). A test reads the SQL the
# frame runs and fails if it names a table missing here.
WATCHED = (
    "incidents", "incident_places", "clusters", "cluster_members", "tags", "record_targets",
)  # fmt: skip
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _trigger(table: str, operation: str) -> str:
    return f"trg_{table}_{operation.lower()}_frame_snapshots"


def upgrade() -> None:
    """Add the snapshot table and, on SQLite, the triggers that keep it current."""
    op.create_table(
        "frame_snapshots",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_frame_snapshots")),
    )
    if op.get_bind().dialect.name != "sqlite":
        return  # snapshots are used on SQLite only (risk/snapshots.py says why)
    for table in WATCHED:
        for operation in OPERATIONS:
            # WHEN: the table is empty after the first row, so the rows after it skip
            # the DELETE; each row still costs SQLite some microseconds for the trigger
            # itself (about 10 on an incidents insert: docs/benchmarks.md)
            op.execute(
                f"CREATE TRIGGER {_trigger(table, operation)} AFTER {operation} ON {table} "
                "WHEN EXISTS (SELECT 1 FROM frame_snapshots) "
                "BEGIN DELETE FROM frame_snapshots; END"
            )


def downgrade() -> None:
    """Drop the triggers and the table."""
    if op.get_bind().dialect.name == "sqlite":
        for table in WATCHED:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)}")
    op.drop_table("frame_snapshots")
