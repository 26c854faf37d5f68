"""Alembic environment: gawahi passes its own connection; no alembic.ini is needed."""

from alembic import context

from gawahi.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("gawahi migrations run through gawahi.store.engine.migrate")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
