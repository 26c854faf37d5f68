"""Profile packs: victim groups, cues, negative contexts and armed groups, as YAML data.

Which groups exist and how sources name them is data, not code: a pack for Ahmadis in
Pakistan or Rohingya in Myanmar is another file. Packs ship in ``profiles/packs/``;
more can be added with ``GAWAHI_PROFILE_PACKS`` (directories or files, separated by the
path separator). All active packs merge into one :class:`ProfilePacks`, and ids are
unique across them. The format is documented in docs/profiles.md; the reader checks it
strictly and names the file and entry of every mistake, because a wrong alias is a
wrong victim count in a report.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from gawahi.errors import ConfigError
from gawahi.profiles.vocabulary import (
    Attribution,
    Cue,
    Group,
    Implication,
    Negative,
    PackInfo,
    Perpetrator,
    ProfilePacks,
    Relation,
    Term,
)
from gawahi.textyaml import FastTextLoader, TextLoader

PACKS_ENV = "GAWAHI_PROFILE_PACKS"
GROUP_KINDS = frozenset({"ethnicity", "religion", "sect", "occupation", "political", "other"})
PERPETRATOR_KINDS = frozenset(
    {"sectarian", "jihadist", "separatist", "political", "criminal", "state", "other"}
)
RELATION_TYPES = frozenset(
    {"splinter_of", "successor_of", "faction_of", "branch_of", "allied_with", "renamed_from"}
)
CUE_ROLES = frozenset({"victim", "context"})
CUE_KINDS = frozenset({"term", "place"})
DEFAULT_CUE_CONFIDENCE = 0.6
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_UNIT = re.compile(r"^[A-Z]{3}\.[a-z0-9][a-z0-9-]*$")
_PACK_KEYS = frozenset(
    {
        "pack",
        "title",
        "country",
        "sources",
        "groups",
        "cues",
        "negatives",
        "perpetrators",
        "implications",
        "attribution",
    }
)
_GROUP_KEYS = frozenset(
    {
        "id",
        "kind",
        "parent",
        "label",
        "labels",
        "terms",
        "acronyms",
        "codes",
        "not_victim_before",
        "not_victim_after",
        "note",
    }
)
_CUE_KEYS = frozenset(
    {"id", "group", "role", "kind", "terms", "confidence", "within", "civilian_target", "note"}
)
_NEGATIVE_KEYS = frozenset({"id", "group", "terms", "within", "unless_within", "note"})
_IMPLICATION_KEYS = frozenset({"id", "group", "implies", "confidence", "note"})
_ATTRIBUTION_KEYS = frozenset({"terms", "object_before", "object_after", "skip", "members"})
_PERPETRATOR_KEYS = frozenset(
    {
        "id",
        "label",
        "labels",
        "kind",
        "country",
        "terms",
        "acronyms",
        "weak_terms",
        "codes",
        "relations",
        "note",
    }
)
_RELATION_KEYS = frozenset({"type", "of", "since", "note"})


def bundled_pack_files() -> list[Path]:
    """The packs shipped with gawahi."""
    folder = Path(str(resources.files("gawahi.profiles") / "packs"))
    return sorted(folder.glob("*.yaml"))


def active_pack_files() -> list[Path]:
    """Shipped packs plus those named by ``GAWAHI_PROFILE_PACKS`` (files or folders)."""
    files = bundled_pack_files()
    for part in filter(None, os.environ.get(PACKS_ENV, "").split(os.pathsep)):
        path = Path(part).expanduser()
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"{PACKS_ENV}: {path} is neither a pack file nor a folder")
    return files


def load_packs(paths: list[Path] | None = None) -> ProfilePacks:
    """Read, check and merge packs (the active ones when ``paths`` is None)."""
    merged = ProfilePacks()
    known_units = _geo_unit_ids()
    for path in paths if paths is not None else active_pack_files():
        _PackReader(path, known_units).read_into(merged)
    _check_references(merged)
    return merged


_Stamps = tuple[tuple[str, int, int], ...]  # (path, mtime in ns, size) per file


def _geo_unit_ids() -> dict[str, frozenset[str]]:
    """Unit ids per country that has a geo pack, to catch typos in 'within'."""
    from gawahi.geo.pack import bundled_packs

    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in bundled_packs())
    return dict(_unit_ids_of(stamps))


@lru_cache(maxsize=4)
def _unit_ids_of(stamps: _Stamps) -> tuple[tuple[str, frozenset[str]], ...]:
    """The geo packs' unit ids, read again only when a pack file changes (by its stamp)."""
    from gawahi.geo.pack import load_pack

    packs = [load_pack(Path(path)) for path, _, _ in stamps]
    return tuple((pack.country, frozenset(map(pack.unit_id, pack.by_id))) for pack in packs)


class _PackReader:
    """Entry-by-entry checks; every failure names the file and the entry."""

    def __init__(self, path: Path, known_units: dict[str, frozenset[str]]) -> None:
        self.path = path
        self.known_units = known_units
        self.where = "the pack"
        self.pack_id = ""

    def fail(self, reason: str) -> None:
        raise ConfigError(f"{self.path}: {self.where}: {reason}")

    def named(self, kind: str, raw: object) -> str:
        """How an entry is called in errors, even when it is not a mapping."""
        ident = raw.get("id") if isinstance(raw, dict) else raw
        return f"{kind} {ident!r}"

    def read_into(self, merged: ProfilePacks) -> None:
        doc = self._document()
        self.keys(doc, _PACK_KEYS, "the pack")
        self.pack_id = self.slug(doc.get("pack"), "pack")
        if any(p.id == self.pack_id for p in merged.packs):
            self.fail(f"a pack with id '{self.pack_id}' is already active")
        merged.packs.append(self._info(doc))
        for raw in self.entries(doc, "groups"):
            self.add(merged.groups, self.group(raw), merged)
        for raw in self.entries(doc, "cues"):
            self.add(merged.cues, self.cue(raw), merged)
        for raw in self.entries(doc, "negatives"):
            self.add(merged.negatives, self.negative(raw), merged)
        for raw in self.entries(doc, "perpetrators"):
            self.add(merged.perpetrators, self.perpetrator(raw), merged)
        country = merged.packs[-1].country
        for raw in self.entries(doc, "implications"):
            self.add(merged.implications, self.implication(raw, country), merged)
        self._attribution(doc.get("attribution"), merged)

    def _document(self) -> dict[str, Any]:
        try:
            doc = _parse(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{self.path}: cannot read the pack: {exc}") from exc
        if not isinstance(doc, dict):
            self.fail("a pack is a YAML mapping with 'pack', 'groups', 'perpetrators' ...")
        return doc

    def _info(self, doc: dict[str, Any]) -> PackInfo:
        country = doc.get("country")
        if country is not None and not re.fullmatch(r"[A-Z]{3}", str(country)):
            self.fail("'country' must be an ISO 3166-1 alpha-3 code such as PAK")
        sha = hashlib.sha256(self.path.read_bytes()).hexdigest()
        sources = tuple(self.texts(doc.get("sources"), "sources"))
        title = self.text(doc.get("title"), "title") or self.pack_id
        return PackInfo(self.pack_id, title, country, self.path, sha, sources)

    def _attribution(self, raw: object, merged: ProfilePacks) -> None:
        if raw is None:
            return
        self.where = "attribution"
        if not isinstance(raw, dict):
            self.fail("'attribution' is a mapping with 'terms'")
        self.keys(raw, _ATTRIBUTION_KEYS, "attribution")
        old = merged.attribution
        words = {
            key: self._word_set(raw.get(key), key) for key in ("object_before", "skip", "members")
        }
        after = tuple(
            tuple(t.split()) for t in self._word_set(raw.get("object_after"), "object_after")
        )
        merged.attribution = Attribution(
            terms=old.terms + self.terms(raw.get("terms"), "terms"),
            object_before=old.object_before | words["object_before"],
            object_after=old.object_after + after,
            skip=old.skip | words["skip"],
            members=old.members | words["members"],
        )

    def _word_set(self, value: object, key: str) -> frozenset[str]:
        from gawahi.profiles.lexicon import normalise_term

        return frozenset(normalise_term(t.text) for t in self.terms(value, key))

    def add(self, table: dict[str, Any], entry: Any, merged: ProfilePacks) -> None:
        taken = set(merged.groups) | set(merged.perpetrators)
        if entry.id in table or (isinstance(entry, Group | Perpetrator) and entry.id in taken):
            self.fail(f"the id '{entry.id}' is used twice (ids are unique across packs)")
        table[entry.id] = entry

    # --- entries ---------------------------------------------------------------------

    def group(self, raw: dict[str, Any]) -> Group:
        self.keys(raw, _GROUP_KEYS, self.named("group", raw))
        return Group(
            id=self.slug(raw.get("id"), "id"),
            kind=self.choice(raw.get("kind"), GROUP_KINDS, "kind"),
            label=self.required(raw.get("label"), "label"),
            pack=self.pack_id,
            parent=self.optional_slug(raw.get("parent"), "parent"),
            labels=self.labels(raw.get("labels")),
            terms=self.terms(raw.get("terms"), "terms"),
            acronyms=tuple(self.texts(raw.get("acronyms"), "acronyms")),
            codes=self.codes(raw.get("codes")),
            not_victim_before=frozenset(self.words(raw, "not_victim_before")),
            not_victim_after=frozenset(self.words(raw, "not_victim_after")),
            note=self.text(raw.get("note"), "note"),
        )

    def cue(self, raw: dict[str, Any]) -> Cue:
        self.keys(raw, _CUE_KEYS, self.named("cue", raw))
        kind = self.choice(raw.get("kind") or "term", CUE_KINDS, "kind")
        civilian = raw.get("civilian_target")
        return Cue(
            id=self.slug(raw.get("id"), "id"),
            group=self.slug(raw.get("group"), "group"),
            role=self.choice(raw.get("role") or "victim", CUE_ROLES, "role"),
            kind=kind,
            terms=self.terms(raw.get("terms"), "terms", required=True),
            confidence=self.confidence(raw.get("confidence")),
            civilian_target=self.flag(civilian, "civilian_target", default=kind == "place"),
            pack=self.pack_id,
            within=self.units(raw.get("within"), "within"),
            note=self.text(raw.get("note"), "note"),
        )

    def negative(self, raw: dict[str, Any]) -> Negative:
        self.keys(raw, _NEGATIVE_KEYS, self.named("negative", raw))
        return Negative(
            id=self.slug(raw.get("id"), "id"),
            group=self.slug(raw.get("group"), "group"),
            terms=self.terms(raw.get("terms"), "terms", required=True),
            pack=self.pack_id,
            within=self.units(raw.get("within"), "within"),
            unless_within=self.units(raw.get("unless_within"), "unless_within"),
            note=self.text(raw.get("note"), "note"),
        )

    def perpetrator(self, raw: dict[str, Any]) -> Perpetrator:
        self.keys(raw, _PERPETRATOR_KEYS, self.named("perpetrator", raw))
        return Perpetrator(
            id=self.slug(raw.get("id"), "id"),
            label=self.required(raw.get("label"), "label"),
            kind=self.choice(raw.get("kind"), PERPETRATOR_KINDS, "kind"),
            pack=self.pack_id,
            country=self.text(raw.get("country"), "country"),
            labels=self.labels(raw.get("labels")),
            terms=self.terms(raw.get("terms"), "terms"),
            acronyms=tuple(self.texts(raw.get("acronyms"), "acronyms")),
            weak_terms=self.terms(raw.get("weak_terms"), "weak_terms"),
            codes=self.codes(raw.get("codes")),
            relations=tuple(
                self.relation(r) for r in self.listing(raw.get("relations"), "relations")
            ),
            note=self.text(raw.get("note"), "note"),
        )

    def implication(self, raw: dict[str, Any], country: str | None) -> Implication:
        self.keys(raw, _IMPLICATION_KEYS, self.named("implication", raw))
        return Implication(
            id=self.slug(raw.get("id"), "id"),
            source=self.slug(raw.get("group"), "group"),
            implies=self.slug(raw.get("implies"), "implies"),
            confidence=self.confidence(raw.get("confidence")),
            pack=self.pack_id,
            country=country,
            note=self.text(raw.get("note"), "note"),
        )

    def relation(self, raw: object) -> Relation:
        if not isinstance(raw, dict):
            self.fail("each relation is a mapping with 'type' and 'of'")
        where = self.where
        self.keys(raw, _RELATION_KEYS, where)
        return Relation(
            type=self.choice(raw.get("type"), RELATION_TYPES, "relation type"),
            of=self.slug(raw.get("of"), "relation 'of'"),
            since=self.text(raw.get("since"), "since"),
            note=self.text(raw.get("note"), "note"),
        )

    # --- values ----------------------------------------------------------------------

    def keys(self, mapping: object, allowed: frozenset[str], where: str) -> None:
        self.where = where
        if not isinstance(mapping, dict):
            self.fail("expected a mapping")
        unknown = sorted(set(mapping) - allowed)  # type: ignore[arg-type]
        if unknown:
            self.fail(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")

    def entries(self, doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
        return self.listing(doc.get(key), key)

    def listing(self, value: object, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"'{key}' must be a list")
        return value  # type: ignore[return-value]

    def slug(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not _ID.fullmatch(value):
            self.fail(f"'{key}' must be a lower-case id such as 'shia' or 'lej', not {value!r}")
        return str(value)

    def optional_slug(self, value: object, key: str) -> str | None:
        return None if value is None else self.slug(value, key)

    def required(self, value: object, key: str) -> str:
        text = self.text(value, key)
        if not text:
            self.fail(f"'{key}' is required")
        return str(text)

    def text(self, value: object, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text")
        return str(value).strip() or None

    def texts(self, value: object, key: str) -> list[str]:
        items = self.listing(value, key)
        if not all(isinstance(item, str) and item.strip() for item in items):
            self.fail(f"'{key}' must be a list of non-empty texts")
        return [item.strip() for item in items]

    def words(self, raw: dict[str, Any], key: str) -> list[str]:
        from gawahi.profiles.lexicon import normalise_term

        return [normalise_term(word) for word in self.texts(raw.get(key), key)]

    def choice(self, value: object, allowed: frozenset[str], key: str) -> str:
        if value not in allowed:
            self.fail(f"'{key}' must be one of {', '.join(sorted(allowed))}, not {value!r}")
        return str(value)

    def terms(self, value: object, key: str, required: bool = False) -> tuple[Term, ...]:
        if value is None and not required:
            return ()
        if not isinstance(value, dict) or (required and not value):
            self.fail(f"'{key}' must be a mapping of language to a list of terms")
        found = []
        for language, texts in value.items():  # type: ignore[union-attr]
            if not re.fullmatch(r"[a-z]{2,3}", str(language)):
                self.fail(f"'{key}': '{language}' is not a language code such as en, ur, fa, ps")
            found.extend(Term(language, text) for text in self.texts(texts, f"{key}.{language}"))
        return tuple(found)

    def labels(self, value: object) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail("'labels' must map language codes to text")
        return dict(value)  # type: ignore[arg-type]

    def codes(self, value: object) -> dict[str, tuple[str, ...]]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail("'codes' must map source names (ucdp-ged, gtd, acled ...) to lists")
        return {str(src): tuple(self.texts(v, f"codes.{src}")) for src, v in value.items()}

    def units(self, value: object, key: str) -> tuple[str, ...]:
        units = self.texts(value, key)
        bad = [unit for unit in units if not _UNIT.fullmatch(unit)]
        if bad:
            self.fail(f"'{key}': {bad[0]!r} is not an admin unit id such as PAK.quetta")
        for unit in units:
            known = self.known_units.get(unit.split(".")[0])
            if known is not None and unit not in known:
                self.fail(f"'{key}': {unit!r} is not a unit of the {unit[:3]} geo pack")
        return tuple(units)

    def confidence(self, value: object) -> float:
        if value is None:
            return DEFAULT_CUE_CONFIDENCE
        try:
            number = float(str(value))
        except ValueError:
            number = -1.0
        if not 0.0 < number <= 1.0:
            self.fail(f"'confidence' must be a number in (0, 1], not {value!r}")
        return number

    def flag(self, value: object, key: str, default: bool) -> bool:
        if value is None:
            return default
        if str(value).lower() not in {"true", "false"}:
            self.fail(f"'{key}' must be true or false, not {value!r}")
        return str(value).lower() == "true"


@lru_cache(maxsize=16)
def _parse(text: str) -> Any:
    """A pack's YAML, parsed once per process and content (an assessment reads the packs
    each time). Shared between readers: the reader copies what it keeps, never edits."""
    try:
        return yaml.load(text, Loader=FastTextLoader)
    except yaml.YAMLError:
        # libyaml's errors lack the line and caret the pure parser prints: ask it instead
        return yaml.load(text, Loader=TextLoader)


def _check_references(packs: ProfilePacks) -> None:
    """Every id an entry points to exists, and no group is its own ancestor."""
    files = {info.id: info.path for info in packs.packs}
    for entry, ref, table, where in _references(packs):
        if ref is not None and ref not in table:
            raise ConfigError(
                f"{files[entry.pack]}: {where} '{ref}' is not defined in any active pack"
            )
    for group in packs.groups.values():
        if group.id in _parents(packs, group.id):
            raise ConfigError(f"{files[group.pack]}: group '{group.id}': its parents form a cycle")


def _references(packs: ProfilePacks) -> Iterator[tuple[Any, str | None, Any, str]]:
    """(entry, the id it points to, where that id must be, how to name it in errors)."""
    tags = packs.tag_ids()
    for group in packs.groups.values():
        yield group, group.parent, packs.groups, f"group '{group.id}': parent"
    for cue in packs.cues.values():
        yield cue, cue.group, tags, f"cue '{cue.id}': group"
    for negative in packs.negatives.values():
        yield negative, negative.group, tags, f"negative '{negative.id}': group"
    for rule in packs.implications.values():
        yield rule, rule.source, packs.groups, f"implication '{rule.id}': group"
        yield rule, rule.implies, packs.groups, f"implication '{rule.id}': implies"
    for perpetrator in packs.perpetrators.values():
        for relation in perpetrator.relations:
            where = f"perpetrator '{perpetrator.id}': relation"
            yield perpetrator, relation.of, packs.perpetrators, where


def _parents(packs: ProfilePacks, group_id: str) -> list[str]:
    """The chain of ancestors, cut short once it repeats (a cycle)."""
    chain: list[str] = []
    parent = packs.groups[group_id].parent
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = packs.groups[parent].parent
    return chain
