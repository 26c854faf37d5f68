"""gawahi (گواہی, "testimony"): an evidence workbench for asylum risk assessment.

The public API: open a store, import files, tag them, link them, read incidents back.
"""

from gawahi.errors import GawahiError, ImportRejected, Problem
from gawahi.incidents import Actor, ActorRole, Citation, DatePrecision, Incident, LocationPrecision
from gawahi.linkage.linking import LinkSettings, link_incidents
from gawahi.profiles.pack import load_packs
from gawahi.profiles.tagging import tag_incidents
from gawahi.sources.fetch import fetch_ucdp
from gawahi.sources.importer import ImportOptions, ImportReport, import_file
from gawahi.store.engine import connect, migrate
from gawahi.store.queries import IncidentFilter, find_incidents, get_incident, list_datasets

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
