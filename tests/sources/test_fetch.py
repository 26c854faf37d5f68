"""gawahi fetch ucdp against a local HTTP server serving a zip we make."""

from __future__ import annotations

import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gawahi.cli import main
from gawahi.errors import ConfigError, FetchError, FormatError
from gawahi.sources.fetch import fetch_ucdp, ucdp_release_url
from tests.conftest import DATA, count


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        super().do_GET()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a folder holding ged221-csv.zip (our two fixture events)."""
    root = tmp_path / "www" / "downloads" / "ged"
    root.mkdir(parents=True)
    with zipfile.ZipFile(root / "ged221-csv.zip", "w") as archive:
        archive.writestr("GEDEvent_v22_1.csv", (DATA / "ged_release_no_iso3.csv").read_bytes())
    _Handler.requests = []
    handler = lambda *a: _Handler(*a, directory=str(tmp_path / "www"))  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/downloads/ged/", root
    httpd.shutdown()
    httpd.server_close()


def test_release_urls() -> None:
    assert ucdp_release_url("22.1") == "https://ucdp.uu.se/downloads/ged/ged221-csv.zip"
    with pytest.raises(ConfigError, match=r"must look like 22\.1 or 24\.1, not 'latest'"):
        ucdp_release_url("latest")


def test_fetch_downloads_caches_filters_and_imports(
    server: tuple[str, Path], tmp_path: Path, engine: sa.Engine
) -> None:
    base, root = server
    cache = tmp_path / "cache"
    report = fetch_ucdp(engine, "22.1", cache, country="Pakistan", base_url=base)
    assert (report.format, report.new) == ("ucdp-ged", 2)
    cached = cache / "ucdp" / "ged221-csv.zip"
    expected = hashlib.sha256((root / "ged221-csv.zip").read_bytes()).hexdigest()
    assert (cache / "ucdp" / "ged221-csv.zip.sha256").read_text().split()[0] == expected
    assert cached.read_bytes() == (root / "ged221-csv.zip").read_bytes()
    with engine.connect() as conn:
        version, origin = conn.exec_driver_sql("SELECT version, origin FROM datasets").one()
    assert (version, origin) == ("22.1", f"{base}ged221-csv.zip sha256:{expected}")
    again = fetch_ucdp(engine, "22.1", cache, country="Pakistan", base_url=base)
    assert again.already_imported
    assert _Handler.requests == ["/downloads/ged/ged221-csv.zip"]  # the cache served the second


def test_a_country_with_no_events_is_an_error(
    server: tuple[str, Path], tmp_path: Path, sqlite_engine: sa.Engine
) -> None:
    with pytest.raises(FormatError, match="no events for country 'Norway' in this release"):
        fetch_ucdp(sqlite_engine, "22.1", tmp_path / "c", country="Norway", base_url=server[0])
    assert count(sqlite_engine, "datasets") == 0


def test_a_missing_release_names_the_url_and_leaves_no_file(
    server: tuple[str, Path], tmp_path: Path, sqlite_engine: sa.Engine
) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_ucdp(sqlite_engine, "99.1", tmp_path / "c", base_url=server[0])
    assert (
        str(caught.value) == f"cannot fetch {server[0]}ged991-csv.zip: the server answered HTTP 404"
    )
    assert list((tmp_path / "c" / "ucdp").iterdir()) == []


def test_fetch_command(
    server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAWAHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAWAHI_UCDP_DOWNLOAD_URL", server[0])
    db = str(tmp_path / "f.sqlite")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(
        main, ["--db", db, "fetch", "ucdp", "--version", "22.1", "--country", "PAK"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "ged221-csv-pak.csv: dataset 1 (ucdp-ged), 2 rows read: 2 new, "
        "0 updated, 0 unchanged, 0 rejected, 0 skipped\n"
        "  places: 2 unresolved (see 'gawahi geo unresolved')\n"
        "  victim tags: none (see 'gawahi profiles counts')\n"
    )
    assert (tmp_path / "data" / "cache" / "ucdp" / "ged221-csv.zip.sha256").exists()


def test_a_page_instead_of_a_zip_is_refused_and_not_cached(
    server: tuple[str, Path], tmp_path: Path, sqlite_engine: sa.Engine
) -> None:
    base, root = server
    good = (root / "ged221-csv.zip").read_bytes()
    (root / "ged221-csv.zip").write_text("<html>Service unavailable</html>")
    cache = tmp_path / "c"
    with pytest.raises(FetchError, match="the download is not a complete zip file"):
        fetch_ucdp(sqlite_engine, "22.1", cache, base_url=base)
    assert list((cache / "ucdp").iterdir()) == []
    (root / "ged221-csv.zip").write_bytes(good)
    assert fetch_ucdp(sqlite_engine, "22.1", cache, base_url=base).new == 2


def test_a_damaged_cache_is_downloaded_again(
    server: tuple[str, Path], tmp_path: Path, sqlite_engine: sa.Engine
) -> None:
    base, _ = server
    cache = tmp_path / "c"
    folder = cache / "ucdp"
    folder.mkdir(parents=True)
    (folder / "ged221-csv.zip").write_bytes(b"PK\x03\x04 cut off")
    (folder / "ged221-csv.zip.sha256").write_text("")  # an empty checksum file
    assert fetch_ucdp(sqlite_engine, "22.1", cache, base_url=base).new == 2
    assert _Handler.requests == ["/downloads/ged/ged221-csv.zip"]
