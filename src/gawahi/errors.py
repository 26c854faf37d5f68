"""The one exception tree of gawahi.

Every error a user can cause or meet is a ``GawahiError``; the CLI prints its
message on one line and exits non-zero (tracebacks only with ``--debug``)::

    GawahiError
    ├── ConfigError            settings, database URL, mapping files
    ├── StoreError             database cannot be opened, migrated or written
    │   └── SchemaError        database from another program or a newer gawahi
    ├── InputError             a file cannot be read at all (names the file)
    │   ├── EncodingError      its text encoding cannot be decided
    │   └── FormatError        its format is unknown or not what was asked for
    ├── ImportRejected         rows were rejected, so nothing was imported
    ├── NotFound               an incident, dataset or version does not exist
    └── FetchError             a download failed (names the URL)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class GawahiError(Exception):
    """Base of every error gawahi raises on purpose."""

    exit_code = 1


class ConfigError(GawahiError):
    """A setting, option or mapping file is wrong."""

    exit_code = 2


class StoreError(GawahiError):
    """The database cannot be opened, migrated or written."""


class SchemaError(StoreError):
    """The database was made by another program or by a newer gawahi."""


class InputError(GawahiError):
    """A whole file cannot be read."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}" if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {reason}")


class EncodingError(InputError):
    """The text encoding of a file cannot be decided."""


class FormatError(InputError):
    """The file is not in a format gawahi knows, or not in the one asked for."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason one row could not be imported as it stands."""

    line: int
    field: str
    value: str
    reason: str

    def describe(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"line {self.line}, field {self.field!r}, value {shown!r}: {self.reason}"


class ImportRejected(GawahiError):
    """Rows were rejected; the import was rolled back and nothing changed."""

    def __init__(self, path: Path | str, problems: Sequence[Problem], rejected_rows: int) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        self.rejected_rows = rejected_rows
        first = self.problems[0].describe() if self.problems else "no detail"
        more = f" (and {rejected_rows - 1} more rejected rows)" if rejected_rows > 1 else ""
        super().__init__(
            f"{self.path}: nothing imported, {rejected_rows} rejected row(s); first: {first}{more}"
        )

    def details(self, limit: int = 20) -> list[str]:
        """Every itemised problem after the first, one line each, for the CLI."""
        shown = [problem.describe() for problem in self.problems[1:limit]]
        hidden = len(self.problems) - limit
        return shown + ([f"... and {hidden} more"] if hidden > 0 else [])


class NotFound(GawahiError):
    """An incident, dataset or release does not exist."""


class FetchError(GawahiError):
    """A download failed."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        super().__init__(f"cannot fetch {url}: {reason}")
