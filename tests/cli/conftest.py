"""The fixture store and its CLI runner (tests/risk/fixture_store.py), for this folder's
modules; a module that defines its own ``store`` or ``run`` uses that one instead."""

from tests.risk.fixture_store import run, store  # noqa: F401
