"""places: admin units, gazetteer, boundaries, populations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Where each format keeps the source's own location words in the raw row, so incidents
# imported before this revision get ``location_text`` without a re-import.
LOCATION_TEXT_KEYS = {
    "ucdp-ged": "where_description",
    "ucdp-api": "where_description",
    "pbc-suicide": "Location",
    "gtd": "location",
    "gtd-xlsx": "location",
}


def upgrade() -> None:
    """Add admin units, boundaries, the gazetteer, decisions, incident places, populations."""
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_text", sa.Text(), nullable=True))
        batch_op.drop_index("ix_incidents_dataset_id")
        batch_op.create_index("ix_incidents_dataset_id_uid", ["dataset_id", "uid"], unique=False)
    _backfill_location_text()
    op.create_table(
        "admin_units",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("iso_code", sa.String(length=10), nullable=True),
        sa.Column("geonames_code", sa.String(length=40), nullable=True),
        sa.Column("seat", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("merged_into", sa.String(length=80), nullable=True),
        sa.Column("split_from", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_units")),
    )
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_units_country_iso3_level"), ["country_iso3", "level"], unique=False
        )

    op.create_table(
        "boundary_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("features", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundary_sets")),
        sa.UniqueConstraint(
            "country_iso3", "level", name=op.f("uq_boundary_sets_country_iso3_level")
        ),
    )
    op.create_table(
        "geo_packs",
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("designators", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("country_iso3", name=op.f("pk_geo_packs")),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("feature_code", sa.String(length=10), nullable=True),
        sa.Column("admin1_code", sa.String(length=20), nullable=True),
        sa.Column("admin2_code", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_places_source_source_id")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_country_iso3"), ["country_iso3"], unique=False)

    op.create_table(
        "admin_unit_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("norm", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("canonical", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["admin_units.id"],
            name=op.f("fk_admin_unit_names_unit_id_admin_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_unit_names")),
    )
    with op.batch_alter_table("admin_unit_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_unit_names_norm"), ["norm"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_unit_names_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "admin_unit_parents",
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("parent_id", sa.String(length=80), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["admin_units.id"],
            name=op.f("fk_admin_unit_parents_parent_id_admin_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["admin_units.id"],
            name=op.f("fk_admin_unit_parents_unit_id_admin_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", "parent_id", name=op.f("pk_admin_unit_parents")),
    )
    op.create_table(
        "boundaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("feature_name", sa.Text(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["boundary_sets.id"],
            name=op.f("fk_boundaries_set_id_boundary_sets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["admin_units.id"],
            name=op.f("fk_boundaries_unit_id_admin_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundaries")),
    )
    with op.batch_alter_table("boundaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_boundaries_set_id"), ["set_id"], unique=False)

    op.create_table(
        "geo_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("norm", sa.Text(), nullable=True),
        sa.Column("context_unit_id", sa.String(length=80), nullable=True),
        sa.Column("incident_uid", sa.String(length=120), nullable=True),
        sa.Column("unit_id", sa.String(length=80), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_geo_decisions_unit_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geo_decisions")),
    )
    with op.batch_alter_table("geo_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geo_decisions_incident_uid"), ["incident_uid"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_geo_decisions_norm"), ["norm"], unique=False)

    op.create_table(
        "place_names",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("norm", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["places.id"],
            name=op.f("fk_place_names_place_id_places"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("place_id", "norm", name=op.f("pk_place_names")),
    )
    with op.batch_alter_table("place_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_names_norm"), ["norm"], unique=False)

    op.create_table(
        "populations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=80), nullable=True),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("place_name", sa.Text(), nullable=False),
        sa.Column("group_name", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value_low", sa.Float(), nullable=True),
        sa.Column("value_high", sa.Float(), nullable=True),
        sa.Column("measure", sa.String(length=12), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["admin_units.id"], name=op.f("fk_populations_unit_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_populations")),
    )
    with op.batch_alter_table("populations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_populations_unit_id_group_name_year"),
            ["unit_id", "group_name", "year"],
            unique=False,
        )

    op.create_table(
        "incident_places",
        sa.Column("uid", sa.String(length=120), nullable=False),
        sa.Column("admin1_id", sa.String(length=80), nullable=True),
        sa.Column("admin2_id", sa.String(length=80), nullable=True),
        sa.Column("unit_id", sa.String(length=80), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("candidates", sa.Text(), nullable=True),
        sa.Column("input_hash", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["incidents.uid"],
            name=op.f("fk_incident_places_uid_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_incident_places")),
    )
    with op.batch_alter_table("incident_places", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_places_admin1_id"), ["admin1_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_places_admin2_id"), ["admin2_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_places_status"), ["status"], unique=False)


def _backfill_location_text() -> None:
    import json

    conn = op.get_bind()
    incidents = sa.table(
        "incidents",
        sa.column("uid"),
        sa.column("source"),
        sa.column("raw"),
        sa.column("location_text"),
    )
    rows = conn.execute(
        sa.select(incidents.c.uid, incidents.c.source, incidents.c.raw).where(
            incidents.c.source.in_(list(LOCATION_TEXT_KEYS))
        )
    ).all()
    updates = []
    for uid, source, raw in rows:
        value = json.loads(raw).get(LOCATION_TEXT_KEYS[source])
        text = value.strip() if isinstance(value, str) else None
        if text and text not in ("N/A", "NA", "n/a", "na", "-"):
            updates.append({"key": uid, "text": text})
    if updates:
        conn.execute(
            incidents.update()
            .where(incidents.c.uid == sa.bindparam("key"))
            .values(location_text=sa.bindparam("text")),
            updates,
        )


def downgrade() -> None:
    """Drop the place tables."""
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_dataset_id_uid")
        batch_op.create_index("ix_incidents_dataset_id", ["dataset_id"], unique=False)
        batch_op.drop_column("location_text")
    with op.batch_alter_table("incident_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_places_status"))
        batch_op.drop_index(batch_op.f("ix_incident_places_admin2_id"))
        batch_op.drop_index(batch_op.f("ix_incident_places_admin1_id"))

    op.drop_table("incident_places")
    with op.batch_alter_table("populations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_populations_unit_id_group_name_year"))

    op.drop_table("populations")
    with op.batch_alter_table("place_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_names_norm"))

    op.drop_table("place_names")
    with op.batch_alter_table("geo_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geo_decisions_norm"))
        batch_op.drop_index(batch_op.f("ix_geo_decisions_incident_uid"))

    op.drop_table("geo_decisions")
    with op.batch_alter_table("boundaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boundaries_set_id"))

    op.drop_table("boundaries")
    op.drop_table("admin_unit_parents")
    with op.batch_alter_table("admin_unit_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_unit_names_unit_id"))
        batch_op.drop_index(batch_op.f("ix_admin_unit_names_norm"))

    op.drop_table("admin_unit_names")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_country_iso3"))

    op.drop_table("places")
    op.drop_table("geo_packs")
    op.drop_table("boundary_sets")
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_units_country_iso3_level"))

    op.drop_table("admin_units")
