"""What every command shares: the chosen database and the --debug flag."""

from __future__ import annotations

import sqlalchemy as sa

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
            self._engine = connect(self.url)
        if initialised:
            require_current(self._engine)
        return self._engine
