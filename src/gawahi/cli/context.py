"""What every command shares: the chosen database and the --debug flag."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gawahi.errors import StoreError
from gawahi.settings import database_url
from gawahi.store.engine import connect, require_current


class Context:
    def __init__(self, db: str | None, debug: bool) -> None:
        self.url = database_url(db)
        self.debug = debug
        self._engine: sa.Engine | None = None

    def engine(self, *, initialised: bool = True) -> sa.Engine:
        """The store's engine; by default refuses a database ``gawahi init`` has not set up."""
        if self._engine is None:
            if initialised:
                _require_sqlite_file(self.url)
            self._engine = connect(self.url)
        if initialised:
            require_current(self._engine)
        return self._engine


def _require_sqlite_file(url: str) -> None:
    # Opening a missing SQLite file creates it; only `gawahi init` should do that.
    parsed = sa.engine.make_url(url)
    database = parsed.database or ""
    is_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file and not database.startswith("file:") and not Path(database).exists():
        raise StoreError(f"no database at {database}; run: gawahi init")
