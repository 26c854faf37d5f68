"""indexes for the assessment's reads: coverage windows, tags, civilian targets

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An assessment (risk/frame.py, risk/underreporting.py) reads, on a store of a million
# records: each source's first and last date in the country (two seeks per source instead
# of a pass over every record); the cluster of every record with a tag or a civilian
# target (read from these indexes alone, without visiting the tables' rows).
_INDEXES = (
    ("ix_incidents_country_iso3_source_date_start", "incidents",
     ["country_iso3", "source", "date_start"]),
    ("ix_tags_tag_role_confidence_incident_uid", "tags",
     ["tag", "role", "confidence", "incident_uid"]),
    ("ix_record_targets_civilian_uid", "record_targets", ["civilian", "uid"]),
)  # fmt: skip


def upgrade() -> None:
    """Add the indexes."""
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    """Drop the indexes."""
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
