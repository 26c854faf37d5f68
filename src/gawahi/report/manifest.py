"""The manifest written beside every report: what was asked, which data it saw (with the
hashes of the files), every figure with its interval and the incidents behind it, the
findings, and the hash of each report file. ``gawahi verify`` (verify.py) recomputes the
assessment from the store and compares it with this file.

The manifest is plain JSON in a fixed key order, so two manifests of the same assessment
differ only in ``created_at`` and can be compared with ``diff``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson

from gawahi.errors import InputError

FORMAT = "gawahi-manifest/1"
FIGURE_FIELDS = ("key", "area", "indicator", "label", "value", "low", "high", "unit", "ids")
_CHUNK = 1 << 20


def utc_now() -> datetime:
    """The clock of ``created_at``; tests pass their own to ``build_manifest``."""
    return datetime.now(UTC)


def build_manifest(
    assessment: Any,
    reports: list[Path] | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    """The manifest of ``assessment`` (computed or loaded) and the report files written
    from it."""
    manifest = {
        "format": FORMAT,
        "gawahi_version": version("gawahi"),
        "created_at": (clock or utc_now)().astimezone(UTC).isoformat(timespec="seconds"),
        "assessment_id": assessment.id,
        "params": assessment.spec.as_dict(),
        "link_run_id": assessment.link_run_id,
        "areas": assessment.areas,
        "perpetrators": assessment.perpetrators,
        "perpetrators_from": assessment.perpetrators_from,
        "coverage": assessment.coverage,
        "datasets": assessment.datasets,
        "figures": [figure_entry(f.as_dict()) for f in assessment.figures],
        "findings": assessment.findings,
        "reports": [report_entry(path) for path in reports or []],
    }
    return as_json(manifest)


def figure_entry(figure: dict[str, Any]) -> dict[str, Any]:
    """One figure in the manifest's order; ``detail`` keeps every key, sorted, because
    the per-year counts, the model and the population used are part of the figure."""
    entry = {name: figure[name] for name in FIGURE_FIELDS}
    entry["detail"] = _sorted(figure.get("detail") or {})
    return entry


def as_json(data: Any) -> Any:
    """``data`` as it reads back from JSON: NumPy numbers become Python ones, NaN and
    infinities null. verify.py compares recomputed figures in this same form."""
    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    return orjson.loads(orjson.dumps(data, option=option, default=str))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value


def report_entry(path: Path) -> dict[str, Any]:
    """A report file by name only: it is looked for beside the manifest."""
    return {
        "file_name": path.name,
        "format": path.suffix.lstrip(".").lower(),
        "sha256": file_sha256(path),
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from error
    return digest.hexdigest()


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Write ``manifest`` as indented JSON, whole or not at all (a half-written manifest
    would fail verification for the wrong reason)."""
    data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise InputError(path, f"cannot write: {error.strerror or error}") from error
