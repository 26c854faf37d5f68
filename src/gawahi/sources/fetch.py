"""Downloading public releases from their publishers, cached with their checksums.

``fetch_ucdp`` takes a GED release from UCDP's download address, keeps the zip
in the cache directory beside a ``.sha256`` file (a later fetch of the same
release reuses it after checking the sum), cuts out one country when asked,
and imports the result like any other file.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa

from gawahi.errors import ConfigError, FetchError, FormatError
from gawahi.incidents.countries import iso3
from gawahi.sources.importer import ImportOptions, ImportReport, import_file
from gawahi.sources.textfile import csv_records, inspect, open_text

UCDP_DOWNLOADS = "https://ucdp.uu.se/downloads/ged/"
_VERSION = re.compile(r"^(\d{2})\.(\d)$")
Progress = Callable[[int, int], None]


def ucdp_release_url(version: str, base_url: str = UCDP_DOWNLOADS) -> str:
    """``22.1`` -> ``<base>/ged221-csv.zip``, the name UCDP gives its CSV releases."""
    match = _VERSION.match(version)
    if not match:
        raise ConfigError(f"UCDP GED version must look like 22.1 or 24.1, not {version!r}")
    return f"{base_url.rstrip('/')}/ged{match.group(1)}{match.group(2)}-csv.zip"


def fetch_ucdp(
    engine: object,
    version: str,
    cache: Path,
    *,
    country: str | None = None,
    base_url: str = UCDP_DOWNLOADS,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    finish: Callable[[sa.Connection, int], None] | None = None,
) -> ImportReport:
    """Download (or reuse) GED ``version``, keep ``country`` only if given, and import it
    (``finish`` runs in the import's transaction, as for any import)."""
    url = ucdp_release_url(version, base_url)
    archive = download(url, cache / "ucdp", client=client, progress=progress, check=_is_zip)
    sha = _recorded_sha(archive.with_name(archive.name + ".sha256"))
    data = archive if country is None else extract_country(archive, country)
    options = ImportOptions(
        format="ucdp-ged", version=version, origin=f"{url} sha256:{sha}", finish=finish
    )
    return import_file(engine, data, options, progress)  # type: ignore[arg-type]


def download(
    url: str,
    folder: Path,
    *,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    check: Callable[[Path], str | None] | None = None,
) -> Path:
    """The file at ``url`` in ``folder``: reused when its recorded checksum still holds
    (and ``check`` finds nothing wrong); otherwise downloaded to a ``.part`` file that
    becomes the cached file only once it is complete and passes ``check``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / url.rsplit("/", 1)[-1]
    checksum = target.with_name(target.name + ".sha256")
    if _cached(target, checksum, check):
        return target
    partial = target.with_name(target.name + ".part")
    with client or httpx.Client(timeout=60) as session:
        digest = _stream_to(url, partial, session, progress)
    problem = check(partial) if check else None
    if problem:
        partial.unlink()
        raise FetchError(url, problem)
    partial.replace(target)
    checksum.write_text(f"{digest}  {target.name}\n")
    return target


def _cached(target: Path, checksum: Path, check: Callable[[Path], str | None] | None) -> bool:
    if not (target.exists() and checksum.exists()):
        return False
    return _recorded_sha(checksum) == _sha256(target) and not (check and check(target))


def _recorded_sha(checksum: Path) -> str:
    words = checksum.read_text().split() if checksum.exists() else []
    return words[0] if words else ""


def _is_zip(path: Path) -> str | None:
    """Why a downloaded release is not a sound zip (an HTML error page, a cut-off file)."""
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
    except zipfile.BadZipFile as exc:
        return f"the download is not a complete zip file ({exc})"
    return f"the download is damaged (bad CRC in {broken})" if broken else None


def _stream_to(url: str, path: Path, client: httpx.Client, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    try:
        with client.stream("GET", url, follow_redirects=True) as response:
            if response.status_code != 200:
                raise FetchError(url, f"the server answered HTTP {response.status_code}")
            total = int(response.headers.get("content-length") or 0)
            with path.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    if progress:
                        progress(response.num_bytes_downloaded, total)
            if total and response.num_bytes_downloaded != total:
                got = response.num_bytes_downloaded
                raise FetchError(url, f"cut off after {got} of {total} bytes")
    except httpx.HTTPError as exc:
        path.unlink(missing_ok=True)
        raise FetchError(url, str(exc) or type(exc).__name__) from None
    except FetchError:
        path.unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def extract_country(archive: Path, country: str) -> Path:
    """The release's rows for one country (by name or ISO3), as a CSV beside the archive."""
    wanted = iso3(country) or country.upper()
    target = archive.with_name(f"{archive.name.removesuffix('.zip')}-{_slug(country)}.csv")
    source = inspect(archive)
    kept = 0
    with open_text(source) as (text, _), target.open("w", encoding="utf-8", newline="") as out:
        records = csv_records(text)
        _, header = next(records)
        writer = csv.writer(out)
        writer.writerow(header)
        column = header.index("country") if "country" in header else None
        if column is None:
            raise FormatError(archive, "the release has no 'country' column")
        for _, values in records:
            if len(values) > column and _same_country(values[column], wanted):
                writer.writerow(values)
                kept += 1
    if kept == 0:
        target.unlink()
        raise FormatError(archive, f"no events for country {country!r} in this release")
    return target


def _same_country(name: str, wanted: str) -> bool:
    return iso3(name) == wanted or name.strip().upper() == wanted


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "country"
