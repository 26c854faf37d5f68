"""gawahi (گواہی, "testimony"): an evidence workbench for asylum risk assessment.

The public API: open a store, import files, tag them, link them, read incidents back.
Each name is imported on first use (PEP 562): importing any part of gawahi imports this
package first, and loading the whole API took a second in every process, the report's
PDF printer and a one-line command among them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gawahi.errors import GawahiError, ImportRejected, Problem
    from gawahi.incidents import (
        Actor,
        ActorRole,
        Citation,
        DatePrecision,
        Incident,
        LocationPrecision,
    )
    from gawahi.linkage.linking import LinkSettings, link_incidents
    from gawahi.profiles.pack import load_packs
    from gawahi.profiles.tagging import tag_incidents
    from gawahi.sources.fetch import fetch_ucdp
    from gawahi.sources.importer import ImportOptions, ImportReport, import_file
    from gawahi.store.engine import connect, migrate
    from gawahi.store.queries import IncidentFilter, find_incidents, get_incident, list_datasets

# Where each public name lives; tests/test_public_api.py keeps it, __all__ and the
# TYPE_CHECKING imports (what type checkers and ruff read) one and the same list.
_HOMES = {
    "gawahi.errors": ("GawahiError", "ImportRejected", "Problem"),
    "gawahi.incidents": (
        "Actor", "ActorRole", "Citation", "DatePrecision", "Incident", "LocationPrecision",
    ),
    "gawahi.linkage.linking": ("LinkSettings", "link_incidents"),
    "gawahi.profiles.pack": ("load_packs",),
    "gawahi.profiles.tagging": ("tag_incidents",),
    "gawahi.sources.fetch": ("fetch_ucdp",),
    "gawahi.sources.importer": ("ImportOptions", "ImportReport", "import_file"),
    "gawahi.store.engine": ("connect", "migrate"),
    "gawahi.store.queries": ("IncidentFilter", "find_incidents", "get_incident", "list_datasets"),
}  # fmt: skip
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in _HOME_OF:
        raise AttributeError(f"module 'gawahi' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME_OF[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


__all__ = [
    "Actor",
    "ActorRole",
    "Citation",
    "DatePrecision",
    "GawahiError",
    "ImportOptions",
    "ImportRejected",
    "ImportReport",
    "Incident",
    "IncidentFilter",
    "LinkSettings",
    "LocationPrecision",
    "Problem",
    "connect",
    "fetch_ucdp",
    "find_incidents",
    "get_incident",
    "import_file",
    "link_incidents",
    "list_datasets",
    "load_packs",
    "migrate",
    "tag_incidents",
]
