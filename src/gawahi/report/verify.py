"""``gawahi verify``: recompute a manifest's assessment from today's store and say what
differs.

What fails a verification (``Verification.ok`` is False):

- a **dataset change**: a dataset of the manifest is gone from the store, its sha256 in
  the store is not the manifest's, or it no longer holds records of the country; a dataset
  holds records of the country that the manifest did not list; a population file used by
  a rate changed or is no longer the one used. Always a failure, even when every figure
  still agrees: the report then rests on data nobody can obtain any more.
- a **figure difference**: value, low or high (floats within a relative 1e-9, integers
  exactly), the incidents behind it (as a multiset: their order is the date order and may
  tie), any entry of its ``detail``, or its label, unit, area or indicator; a figure of the
  manifest that is not recomputed, or a recomputed one the manifest lacks.
- a **finding** whose text is no longer drawn, or a new one.
- with ``check_files``, a report file missing beside the manifest or with another sha256.

What is only a note: another gawahi version, another latest link run, an area resolved
to another unit. They explain differences; the differences themselves are what fail.

The recomputation is ``assess`` without ``save``; like any assessment it brings the
store's cache of civilian targets (``record_targets``) up to date, and writes nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.errors import ConfigError, FormatError, InputError
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.report.manifest import FORMAT, as_json, figure_entry, file_sha256
from gawahi.risk.assessment import assess
from gawahi.risk.spec import AssessmentSpec
from gawahi.store import schema

REL_TOL = 1e-9
# Below this, two floats are equal whatever their ratio: a fit that gives 0 on one machine
# can give 1e-17 on another, and no figure is reported to twelve decimals.
ABS_TOL = 1e-12


class _Absent:
    """A detail entry one side does not have (None is a value: "no figure")."""

    def __repr__(self) -> str:
        return "absent"


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class FigureDifference:
    """One field of one figure: ``expected`` is the manifest's, ``actual`` recomputed."""

    key: str
    field: str
    expected: Any
    actual: Any

    def describe(self) -> str:
        if self.field == "ids":
            lost = sorted(set(self.expected) - set(self.actual))
            gained = sorted(set(self.actual) - set(self.expected))
            return (
                f"{self.key}: incidents {len(self.expected)} in the manifest, "
                f"{len(self.actual)} now; lost {_list(lost)}; gained {_list(gained)}"
            )
        return (
            f"{self.key}: {self.field} {_show(self.expected)} in the manifest, "
            f"{_show(self.actual)} now"
        )


@dataclass(slots=True)
class Verification:
    """Everything that differs between a manifest and its recomputation."""

    figures_checked: int = 0
    datasets_checked: int = 0
    dataset_changes: list[str] = field(default_factory=list)
    figure_differences: list[FigureDifference] = field(default_factory=list)
    missing_figures: list[str] = field(default_factory=list)
    extra_figures: list[str] = field(default_factory=list)
    finding_differences: list[str] = field(default_factory=list)
    file_mismatches: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        """What failed, one phrase each (empty when the verification passed)."""
        keys = self.differing_figures()
        counted = (
            (len(self.dataset_changes), "dataset change(s)"),
            (len(keys), f"figure(s) differ ({_list(keys)})"),
            (len(self.missing_figures), "figure(s) missing"),
            (len(self.extra_figures), "figure(s) new"),
            (len(self.finding_differences), "finding(s) differ"),
            (len(self.file_mismatches), "report file(s) changed"),
        )
        return [f"{n} {what}" for n, what in counted if n]

    def differing_figures(self) -> list[str]:
        """The keys of the figures that differ, each once, in the manifest's order."""
        return list(dict.fromkeys(d.key for d in self.figure_differences))

    def lines(self) -> list[str]:
        """The verification as the CLI prints it: a verdict, then one line per problem."""
        out = [self._verdict()]
        out += [f"DATASET CHANGED: {change}" for change in self.dataset_changes]
        out += [f"figure differs: {d.describe()}" for d in self.figure_differences]
        out += [
            f"figure missing: {k} is in the manifest, not recomputed" for k in self.missing_figures
        ]
        out += [f"figure new: {k} is recomputed, not in the manifest" for k in self.extra_figures]
        out += self.finding_differences
        out += [f"REPORT FILE CHANGED: {m}" for m in self.file_mismatches]
        return out + [f"note: {note}" for note in self.notes]

    def _verdict(self) -> str:
        if self.ok:
            return (
                f"verified: {self.figures_checked} figures recomputed as in the manifest, "
                f"{self.datasets_checked} datasets unchanged"
            )
        return "VERIFICATION FAILED: " + "; ".join(self.problems())


# --- reading ------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """A manifest file, checked to be one; InputError (naming the file) if not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from error
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise FormatError(path, f"not a gawahi manifest: not JSON ({error.msg})") from error
    check_manifest(manifest, path)
    return manifest  # type: ignore[no-any-return]


def check_manifest(manifest: Any, path: Path | str = "manifest") -> None:
    """FormatError naming ``path`` unless ``manifest`` has what verify reads."""
    problem = _shape_problem(manifest)
    if problem:
        raise FormatError(path, f"not a gawahi manifest: {problem}")


def _shape_problem(manifest: Any) -> str | None:
    if not isinstance(manifest, dict):
        return f"it holds a JSON {type(manifest).__name__}, not an object"
    if manifest.get("format") != FORMAT:
        return f"its format is {manifest.get('format')!r}, not {FORMAT!r}"
    for name, kind in (("params", dict), ("datasets", list), ("figures", list)):
        if not isinstance(manifest.get(name), kind):
            return f"{name!r} is missing or not {'an object' if kind is dict else 'a list'}"
    for item in manifest["figures"]:
        if not (isinstance(item, dict) and isinstance(item.get("key"), str)):
            return "a figure without a key"
        if not isinstance(item.get("ids"), list):
            return f"figure {item['key']!r} has no list of incident ids"
    return _datasets_problem(manifest["datasets"])


def _datasets_problem(datasets: list[Any]) -> str | None:
    for item in datasets:
        if not isinstance(item, dict):
            return "a dataset that is not an object"
        if item.get("kind") == "incidents" and type(item.get("id")) is not int:
            return "an incidents dataset without an integer id"
    return None


def _spec(manifest: dict[str, Any], path: Path | str) -> AssessmentSpec:
    try:
        return AssessmentSpec.from_dict(manifest["params"])
    except (TypeError, KeyError, ValueError, AttributeError, ConfigError) as error:
        raise FormatError(path, f"its params are not an assessment's: {error}") from error


# --- verifying ----------------------------------------------------------------------------


def verify_file(
    conn: sa.Connection, path: Path, *, check_files: bool = True, packs: ProfilePacks | None = None
) -> Verification:
    """Read the manifest at ``path`` and verify it, with the report files beside it."""
    return verify(conn, read_manifest(path), path=path, check_files=check_files, packs=packs)


def verify(
    conn: sa.Connection,
    manifest: dict[str, Any],
    *,
    path: Path | str | None = None,
    check_files: bool = False,
    packs: ProfilePacks | None = None,
) -> Verification:
    """Recompute ``manifest``'s assessment on the store and compare. ``path``, where the
    manifest was read from, names it in errors; ``check_files`` hashes the report files
    in its folder (and needs ``path``). ``packs``: the active profile packs by default."""
    where = path or "manifest"
    check_manifest(manifest, where)
    spec = _spec(manifest, where)
    # from the tables themselves, never from a snapshot of them (risk/snapshots.py)
    fresh = assess(conn, spec, packs, snapshots=False)
    result = _compare(conn, manifest, fresh, spec.country)
    if check_files:
        if path is None:
            raise ValueError("check_files needs the manifest's path")
        result.file_mismatches = file_mismatches(manifest.get("reports") or [], Path(path).parent)
    return result


def _compare(
    conn: sa.Connection, manifest: dict[str, Any], fresh: Any, country: str
) -> Verification:
    """Compare in the manifest's own form: the recomputation goes through JSON as well."""
    result = Verification(
        figures_checked=len(manifest["figures"]), datasets_checked=len(manifest["datasets"])
    )
    current = as_json(fresh.datasets)
    result.dataset_changes = dataset_changes(conn, manifest["datasets"], current, country)
    figures = [figure_entry(as_json(f.as_dict())) for f in fresh.figures]
    compare_figures(manifest["figures"], figures, result)
    findings = manifest.get("findings") or []
    result.finding_differences = _finding_differences(findings, as_json(fresh.findings))
    result.notes = _notes(manifest, fresh)
    return result


# --- datasets -----------------------------------------------------------------------------


def dataset_changes(
    conn: sa.Connection,
    expected: list[dict[str, Any]],
    current: list[dict[str, Any]],
    country: str,
) -> list[str]:
    """Each way the data differ from the manifest's, naming the dataset and both hashes."""

    def of(kind: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [d for d in items if d.get("kind") == kind]

    changes = _incident_changes(conn, of("incidents", expected), of("incidents", current), country)
    return changes + _population_changes(of("population", expected), of("population", current))


def _incident_changes(
    conn: sa.Connection,
    expected: list[dict[str, Any]],
    current: list[dict[str, Any]],
    country: str,
) -> list[str]:
    now = {d["id"] for d in current}
    ids = [item.get("id") for item in expected]
    stored = _stored_hashes(conn, ids)
    changes = [
        _incident_change(item, item.get("id") in now, stored.get(item.get("id")), country)
        for item in expected
    ]
    known = set(ids)
    changes += [
        f"{_dataset(item)}, sha256 {item.get('sha256')}, holds records of {country} "
        "in the store; the manifest does not list it"
        for item in current
        if item["id"] not in known
    ]
    return [change for change in changes if change]


def _stored_hashes(conn: sa.Connection, ids: list[Any]) -> dict[int, str]:
    """sha256 by dataset id, as the store holds it now."""
    d = schema.datasets
    rows = conn.execute(sa.select(d.c.id, d.c.sha256).where(d.c.id.in_(ids)))
    return {row.id: row.sha256 for row in rows}


def _incident_change(item: dict[str, Any], used: bool, stored: str | None, country: str) -> str:
    named, sha = _dataset(item), item.get("sha256")
    if stored is None:
        return f"{named}, sha256 {sha} in the manifest, is no longer in the store"
    if stored != sha:
        return f"{named}: sha256 {sha} in the manifest, {stored} in the store"
    if not used:
        return f"{named}, sha256 {sha}, no longer holds records of {country} in the store"
    return ""


def _dataset(item: dict[str, Any]) -> str:
    return f"dataset {item.get('id')} {item.get('name')!r} ({item.get('file_name')})"


_Population = tuple[Any, Any, Any, Any]  # source, year, file name, sha256


def _population_changes(expected: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[str]:
    """Population files are compared as (source, year, file, sha256); a pair with the same
    source and year is one change, named with both files and hashes."""

    def keyed(items: list[dict[str, Any]]) -> set[_Population]:
        return {
            (d.get("source"), d.get("year"), d.get("file_name"), d.get("sha256")) for d in items
        }

    was, now = keyed(expected), keyed(current)
    gone, new = sorted(was - now, key=repr), sorted(now - was, key=repr)
    changes = []
    for old in gone:
        same = [n for n in new if n[:2] == old[:2]]
        if same:
            new.remove(same[0])
            changes.append(
                f"{_population(old)} in the manifest, now {same[0][2]} (sha256 {same[0][3]})"
            )
        else:
            changes.append(f"{_population(old)} in the manifest is no longer used")
    return changes + [f"{_population(n)} is used now; the manifest does not list it" for n in new]


def _population(item: _Population) -> str:
    source, year, file_name, sha = item
    return f"population figures of {source} ({year}) from {file_name} (sha256 {sha})"


# --- figures, findings, files -------------------------------------------------------------


def compare_figures(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], result: Verification
) -> None:
    """Fill ``result`` with the differences, figure by figure in the manifest's order."""
    now = {item["key"]: item for item in actual}
    for item in expected:
        if item["key"] in now:
            result.figure_differences += figure_differences(item, now[item["key"]])
        else:
            result.missing_figures.append(item["key"])
    known = {item["key"] for item in expected}
    result.extra_figures = [item["key"] for item in actual if item["key"] not in known]


def figure_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[FigureDifference]:
    key = expected["key"]
    found = [
        FigureDifference(key, name, expected.get(name, ABSENT), actual.get(name, ABSENT))
        for name in ("area", "indicator", "label", "unit", "value", "low", "high")
        if not same(expected.get(name, ABSENT), actual.get(name, ABSENT))
    ]
    was, now = sorted(map(str, expected["ids"])), sorted(map(str, actual["ids"]))
    if was != now:
        found.append(FigureDifference(key, "ids", was, now))
    details = _detail_differences(expected.get("detail") or {}, actual.get("detail") or {})
    return found + [FigureDifference(key, name, e, a) for name, e, a in details]


def _detail_differences(
    expected: Any, actual: Any, at: str = "detail"
) -> list[tuple[str, Any, Any]]:
    """Dicts are walked so the difference names its entry (detail.per_year.2016)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for name in sorted(expected.keys() | actual.keys()):
            was, now = expected.get(name, ABSENT), actual.get(name, ABSENT)
            found += _detail_differences(was, now, f"{at}.{name}")
        return found
    return [] if same(expected, actual) else [(at, expected, actual)]


def same(a: Any, b: Any) -> bool:
    """Equal as figures: bools and ints exactly, other numbers within the tolerances,
    lists and dicts entry by entry."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def _finding_differences(expected: list[Any], actual: list[dict[str, Any]]) -> list[str]:
    was = [f.get("text") if isinstance(f, dict) else f for f in expected]
    now = [f.get("text") for f in actual]
    lines = [f"finding no longer drawn: {text}" for text in was if text not in now]
    return lines + [f"finding new: {text}" for text in now if text not in was]


def file_mismatches(reports: list[Any], folder: Path) -> list[str]:
    """Each report file of the manifest, looked for by name in ``folder`` only."""
    found = []
    for entry in reports:
        name = Path(str(entry.get("file_name", ""))).name
        target = folder / name
        if not name or not target.is_file():
            found.append(f"{name or '(unnamed)'} is not beside the manifest in {folder}")
            continue
        actual = file_sha256(target)
        if actual != entry.get("sha256"):
            found.append(
                f"{name}: sha256 {entry.get('sha256')} in the manifest, {actual} of the file"
            )
    return found


def _notes(manifest: dict[str, Any], fresh: Any) -> list[str]:
    notes = []
    made, running = manifest.get("gawahi_version"), version("gawahi")
    if made != running:
        notes.append(f"the manifest was made with gawahi {made}, verified with {running}")
    if manifest.get("link_run_id") != fresh.link_run_id:
        notes.append(
            f"the manifest saw link run {manifest.get('link_run_id')}, the store's latest is "
            f"{fresh.link_run_id}: clusters may have changed (see the figures' incidents)"
        )
    units = {
        a.get("name"): a.get("unit_id") for a in manifest.get("areas") or [] if isinstance(a, dict)
    }
    for area in fresh.areas:
        was = units.get(area["name"], area["unit_id"])
        if was != area["unit_id"]:
            notes.append(f"area {area['name']} was unit {was}, is now {area['unit_id']}")
    return notes


def _list(keys: list[str], limit: int = 10) -> str:
    if not keys:
        return "none"
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _show(value: Any) -> str:
    return "absent" if value is ABSENT else orjson.dumps(value, default=str).decode()
