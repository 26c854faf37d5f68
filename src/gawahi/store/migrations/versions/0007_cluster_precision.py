"""the precision of each cluster's point

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The ledger's choice of place (linkage/ledger.py): the member with the most precise
# point, then the first source by name, then the first uid; a store linked before this
# revision gets the precision of that member without being linked again.
# A source that gives a city's point (Pakistan Body Count) gives a district's precision,
# whatever its label (linkage/records.py, point_precision).
_BACKFILL = """
UPDATE clusters SET location_precision = (
    SELECT CASE
        WHEN i.source_location_precision = 'city' AND i.location_precision IN ('exact', 'near')
        THEN 'admin2' ELSE i.location_precision END
    FROM cluster_members m JOIN incidents i ON i.uid = m.uid
    WHERE m.cluster_id = clusters.id AND i.latitude IS NOT NULL
    ORDER BY CASE i.location_precision
        WHEN 'exact' THEN 0 WHEN 'near' THEN 1 WHEN 'admin2' THEN 2
        WHEN 'admin1' THEN 3 WHEN 'region' THEN 4 ELSE 9 END,
        i.source, i.uid
    LIMIT 1
)
WHERE latitude IS NOT NULL
"""


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_precision", sa.String(length=10), nullable=True))
    op.execute(_BACKFILL)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_column("location_precision")
