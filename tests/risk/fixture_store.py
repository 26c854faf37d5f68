"""The fixture store of tests/risk/test_assessment.py (tests/data/risk, fictional groups)
as pytest fixtures, built once per test module on each backend: ``store``, and ``run``,
gawahi's CLI against it with the fictional pack active. The conftest.py files of
tests/risk, tests/cli and tests/report make them available to their modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.profiles.pack import PACKS_ENV
from tests.risk.test_assessment import PACK, backends, built_store

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module", params=backends())
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    yield from built_store(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def run(store: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """gawahi against the module's store, with the fictional pack active."""
    url = store.url.render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GAWAHI_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        env.delenv("GAWAHI_DATABASE_URL", raising=False)
        env.setenv(PACKS_ENV, str(PACK))

        def invoke(*args: str) -> tuple[int, str, str]:
            result = CliRunner().invoke(main, ["--db", url, *map(str, args)])
            return result.exit_code, result.stdout, result.stderr

        yield invoke
