"""Where gawahi keeps its data and which database it talks to."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATABASE_ENV = "GAWAHI_DATABASE_URL"
DATA_DIR_ENV = "GAWAHI_DATA_DIR"


def data_dir() -> Path:
    """The user's gawahi data directory (``GAWAHI_DATA_DIR`` overrides it)."""
    chosen = os.environ.get(DATA_DIR_ENV)
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir("gawahi", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Downloads are kept here with their checksums, so a fetch is not repeated."""
    path = data_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(explicit: str | None = None) -> str:
    """The database URL: ``--db`` first, then ``GAWAHI_DATABASE_URL``, then a SQLite file.

    A bare path is accepted for ``--db`` and means a SQLite file.
    """
    chosen = explicit or os.environ.get(DATABASE_ENV)
    if not chosen:
        return f"sqlite:///{data_dir() / 'gawahi.sqlite'}"
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser().resolve()}"
    return chosen
