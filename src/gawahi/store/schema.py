"""The database schema (SQLAlchemy Core). Alembic migrations in ``migrations/`` build it.

Identity: an incident's primary key is its ``uid`` = ``source:source_id`` (for example
``ucdp-ged:59553``), stable across releases, so a new release updates in place and
later tables (tags, links) can refer to it without a lookup. The key already makes
(source, source_id) unique, so no second index says so again.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("publisher", sa.Text),
    sa.Column("version", sa.Text),
    sa.Column("licence", sa.Text),
    sa.Column("citation", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    # sha256 of the mapping file for mapped imports, else "": the same file read through
    # another mapping (or as another format) is another dataset.
    sa.Column("variant", sa.String(64), nullable=False, server_default=""),
    sa.Column("encoding", sa.String(40)),
    sa.Column("origin", sa.Text),  # where it came from: a download URL and that file's sha256
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_imported", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_new", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_rejected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_skipped", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("sha256", "format", "variant"),
)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("uid", sa.String(120), primary_key=True),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("source_id", sa.String(80), nullable=False),
    sa.Column("dataset_id", sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("first_dataset_id", sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("source_line", sa.Integer),
    sa.Column("content_hash", sa.String(32), nullable=False),
    sa.Column("date_start", sa.Date),
    sa.Column("date_end", sa.Date),
    sa.Column("date_precision", sa.String(10), nullable=False),
    sa.Column("date_text", sa.Text),
    sa.Column("country_iso3", sa.String(3)),
    sa.Column("country", sa.Text),
    sa.Column("admin1", sa.Text),
    sa.Column("admin2", sa.Text),
    sa.Column("admin3", sa.Text),
    sa.Column("place", sa.Text),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("location_precision", sa.String(10), nullable=False),
    sa.Column("source_location_precision", sa.String(20)),
    sa.Column("violence_type", sa.Text),
    sa.Column("event_type", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("deaths_best", sa.Integer),
    sa.Column("deaths_low", sa.Integer),
    sa.Column("deaths_high", sa.Integer),
    sa.Column("deaths_civilians", sa.Integer),
    sa.Column("injured", sa.Integer),
    sa.Column("raw", sa.Text, nullable=False),  # the source row as JSON, exactly as read
    sa.Index(None, "country_iso3", "date_start"),
    sa.Index(None, "date_start"),
    sa.Index(None, "dataset_id"),
)

actors = sa.Table(
    "actors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("source_actor_id", sa.String(40)),
    sa.UniqueConstraint("source", "name"),
)

incident_actors = sa.Table(
    "incident_actors",
    metadata,
    sa.Column("incident_uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("actor_id", sa.ForeignKey("actors.id"), nullable=False),
    sa.Column("role", sa.String(12), nullable=False),
    sa.Index(None, "actor_id"),
)

citations = sa.Table(
    "citations",
    metadata,
    sa.Column("incident_uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("publisher", sa.Text),
    sa.Column("date", sa.Text),
    sa.Column("headline", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("text", sa.Text),
)

incident_changes = sa.Table(
    "incident_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), nullable=False),
    sa.Column("dataset_id", sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("previous_dataset_id", sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("changes", sa.Text, nullable=False),  # JSON {field: [old, new]}
    sa.Index(None, "incident_uid"),
)

import_problems = sa.Table(
    "import_problems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset_id", sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # rejected | warning | skipped
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("field", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index(None, "dataset_id"),
)
