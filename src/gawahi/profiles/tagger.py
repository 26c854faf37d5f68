"""The tagger: from a record's fields to victim, perpetrator and context tags with evidence.

Rules, strongest first (confidence in brackets; ``docs/profiles.md`` has the full list):

* coded fields (0.95): a coded actor is a pack perpetrator's code for this source (UCDP
  ``LeJ``, GTD ``Lashkar-e-Jhangvi``), or a coded group value is a group's code (PBC
  ``Shiite``). A source's "suspected" mark lowers it (0.85). A known name inside a coded
  field that is not one of the listed codes counts a little less (0.9).
* target fields (0.9): a group named in the words that describe the target.
* explicit mentions in narrative text (0.8): a group named in a headline or summary is a
  victim, unless a negative context covers the words ("Hazara Division") or the words
  around make it the attacker ("anti-Shia", "Shia militants"): then it is context (0.5).
  A perpetrator named in a sentence that attributes ("claimed", "killed", "blamed") is a
  perpetrator (0.7), otherwise context (0.5). Ambiguous names ("Taliban") count only for
  a perpetrator the record's coded actors already name.
* cues (pack confidence, default 0.6): words and places that point to a group; place
  cues only when the target was civilian and, where the cue says so, inside given units.
* parents: a tag for a group implies its broader group (ismaili -> shia) with the same
  evidence.

The tagger also keeps what it set aside and why (a negative context, a place field, a
cue outside its area), so ``gawahi why`` can show near misses as well as tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from gawahi.profiles.fields import FieldKind, RecordView, SourceField
from gawahi.profiles.lexicon import Lexicon, Match, Tokens, normalise_term, tokenise
from gawahi.profiles.vocabulary import Group, ProfilePacks

TAGGER_VERSION = "1"
CODED = 0.95
CODED_SUSPECTED = 0.85
CODED_TERM = 0.9
TARGET_MENTION = 0.9
TEXT_MENTION = 0.8
TEXT_ATTRIBUTION = 0.7
CONTEXT = 0.5
SUSPECTED_DROP = 0.1


class Tag(NamedTuple):
    tag: str
    role: str  # victim | perpetrator | context
    method: str  # field | lexicon | cue | manual | propagated
    rule: str
    field: str
    matched: str
    confidence: float


class SetAside(NamedTuple):
    """Words that looked like a tag but were not taken, and why."""

    tag: str
    field: str
    matched: str
    reason: str


@dataclass
class TagResult:
    tags: list[Tag] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    def add(self, tag: Tag) -> None:
        if tag not in self.tags:
            self.tags.append(tag)


class Tagger:
    """Tags records with the vocabulary of the active packs."""

    def __init__(self, packs: ProfilePacks) -> None:
        self.packs = packs
        self.lexicon = _lexicon(packs)
        self.codes = _codes(packs)
        # Coded values repeat endlessly ("Government of Pakistan", "Civilians"): their
        # lookups are kept per (source, field value, kind).
        self._coded_cache: dict[tuple[str, str, str], tuple[list[str], bool]] = {}

    def tag(self, view: RecordView, units: Iterable[str] = ()) -> TagResult:
        """The tags of one record; ``units`` are the admin units it lies in (for cues)."""
        result = TagResult()
        record = _Record(view, frozenset(units))
        for source_field in view.fields:
            if source_field.kind in (FieldKind.ACTOR, FieldKind.CODE):
                self._coded(record, source_field, result)
        for source_field in view.fields:
            if source_field.kind not in (FieldKind.ACTOR, FieldKind.CODE):
                self._words(record, source_field, result)
        self._parents(result)
        self._implications(view.country, result)
        return result

    def derive(self, tags: list[Tag], country: str | None) -> list[Tag]:
        """``tags`` with the parent groups and implications they entail (after people's
        decisions changed the tagger's own answer)."""
        result = TagResult([t for t in tags if not is_derived(t)])
        self._parents(result)
        self._implications(country, result)
        return result.tags

    # --- coded fields ----------------------------------------------------------------

    def _coded(self, record: _Record, f: SourceField, result: TagResult) -> None:
        wanted = "perpetrator" if f.kind is FieldKind.ACTOR else "group"
        hits, exact = self._coded_hits(record.view.source, f.value, wanted)
        rule = f"code:{record.view.source}:{f.name}"
        confidence = CODED_SUSPECTED if f.suspected else CODED
        if not exact:
            rule, confidence = f"term-in-field:{f.name}", confidence - (CODED - CODED_TERM)
        role = _coded_role(f)
        for tag_id in hits:
            result.add(Tag(tag_id, role, "field", rule, f.name, f.value, confidence))
            if wanted == "perpetrator":
                record.coded_perpetrators.add(tag_id)
        if f.kind is FieldKind.ACTOR:
            self._group_as_actor(record, f, result)

    def _group_as_actor(self, record: _Record, f: SourceField, result: TagResult) -> None:
        """A group coded as a side ("Bangesh - Turi", "Mohajir - Sindhi"): context,
        unless the same value was already read as the victims (ACLED's associated actors)."""
        victims = {(t.tag, t.field, t.matched) for t in result.tags if t.role == "victim"}
        for tag_id in self._code_hits(record.view.source, f.value, "group"):
            if (tag_id, f.name, f.value) in victims:
                continue
            rule = f"code:{record.view.source}:{f.name}"
            result.add(Tag(tag_id, "context", "field", rule, f.name, f.value, CODED))

    def _coded_hits(self, source: str, value: str, wanted: str) -> tuple[list[str], bool]:
        """Tag ids for a coded value, and whether they came from a listed code."""
        key = (source, value, wanted)
        if key not in self._coded_cache:
            hits = self._code_hits(source, value, wanted)
            found = (hits, True) if hits else (self._terms_in(value, wanted), False)
            self._coded_cache[key] = found
        return self._coded_cache[key]

    def _code_hits(self, source: str, value: str, wanted: str) -> list[str]:
        key = normalise_term(value)
        for scope in (source, source.split("-")[0]):
            hits = self.codes.get((wanted, scope, key))
            if hits:
                return hits
        return []

    def _terms_in(self, value: str, wanted: str) -> list[str]:
        kinds = {"perpetrator"} if wanted == "perpetrator" else {"group"}
        found = [m.entry.id for m in self.lexicon.find(value) if m.entry.kind in kinds]
        return list(dict.fromkeys(found))

    # --- words: targets, text, places ------------------------------------------------

    def _words(self, record: _Record, f: SourceField, result: TagResult) -> None:
        if not self.lexicon.may_match(f.value):
            return
        tokens = tokenise(f.value)
        matches = self.lexicon.find(f.value, tokens)
        negatives = [
            m for m in matches if m.entry.kind == "negative" and self._negative_applies(m, record)
        ]
        attributed = {m.sentence for m in matches if m.entry.kind == "attribution"}
        named = [m for m in matches if m.entry.kind == "perpetrator"]
        for match in matches:
            kind = match.entry.kind
            if kind == "weak" and any(n.overlaps(match) for n in named):
                continue  # "Taliban" inside "Tehrik-i-Taliban Pakistan": the full name decides
            blocked = [n for n in negatives if n.overlaps(match) and self._blocks(n, match)]
            if kind in ("group", "cue", "perpetrator", "weak") and blocked:
                reason = f"negative:{blocked[0].entry.id}"
                result.set_aside.append(SetAside(self._tag_of(match), f.name, match.text, reason))
            elif kind == "group":
                self._group_mention(match, tokens, record, f, result)
            elif kind == "cue":
                self._cue(match, record, f, result)
            elif kind in ("perpetrator", "weak"):
                self._perpetrator_mention(match, tokens, record, f, attributed, result)

    def _negative_applies(self, match: Match, record: _Record) -> bool:
        negative = self.packs.negatives[match.entry.id]
        if negative.within and record.units.isdisjoint(negative.within):
            return False
        return record.units.isdisjoint(negative.unless_within)

    def _blocks(self, negative: Match, match: Match) -> bool:
        return self.packs.negatives[negative.entry.id].group == self._tag_of(match)

    def _tag_of(self, match: Match) -> str:
        if match.entry.kind == "cue":
            return self.packs.cues[match.entry.id].group
        return match.entry.id

    def _group_mention(
        self,
        match: Match,
        tokens: Tokens,
        record: _Record,
        f: SourceField,
        result: TagResult,
    ) -> None:
        group = self.packs.groups[match.entry.id]
        if f.kind is FieldKind.PLACE:
            result.set_aside.append(SetAside(group.id, f.name, match.text, "a place-name field"))
            return
        if f.kind is FieldKind.TEXT:
            rule = self._not_victim(group, match, tokens, record)
            if rule:
                result.add(Tag(group.id, "context", "lexicon", rule, f.name, match.text, CONTEXT))
                return
        target = f.kind is FieldKind.TARGET
        method, confidence = ("field", TARGET_MENTION) if target else ("lexicon", TEXT_MENTION)
        rule = f"mention:{group.id}"
        result.add(Tag(group.id, "victim", method, rule, f.name, match.text, confidence))

    def _not_victim(
        self, group: Group, match: Match, tokens: Tokens, record: _Record
    ) -> str | None:
        """Why a group named in narrative text is not the victim, if it is not."""
        keys = tokens.keys
        before = keys[match.first - 1] if match.first > 0 else None
        after = keys[match.last + 1] if match.last + 1 < len(keys) else None
        if before in group.not_victim_before:
            return f"not-victim:{before}"
        if after in group.not_victim_after:
            return f"not-victim:{after}"
        if record.view.civilians_harmed is False:
            return "no-civilian-victims"
        return None

    def _cue(self, match: Match, record: _Record, f: SourceField, result: TagResult) -> None:
        cue = self.packs.cues[match.entry.id]
        reason = None
        if f.kind is FieldKind.PLACE and cue.kind != "place":
            reason = "a place-name field (term cues read only text)"
        elif cue.within and not record.units.intersection(cue.within):
            reason = f"outside {', '.join(cue.within)}"
        elif cue.civilian_target and record.view.civilian_target is not True:
            reason = (
                "the target was not civilian"
                if record.view.civilian_target is False
                else ("the record does not say the target was civilian")
            )
        if reason:
            result.set_aside.append(
                SetAside(cue.group, f.name, match.text, f"cue:{cue.id}: {reason}")
            )
            return
        result.add(
            Tag(cue.group, cue.role, "cue", f"cue:{cue.id}", f.name, match.text, cue.confidence)
        )

    def _perpetrator_mention(
        self,
        match: Match,
        tokens: Tokens,
        record: _Record,
        f: SourceField,
        attributed: set[int],
        result: TagResult,
    ) -> None:
        tag_id, weak = match.entry.id, match.entry.kind == "weak"
        if f.kind is FieldKind.PLACE:
            return
        if weak and tag_id not in record.coded_perpetrators:
            reason = "an ambiguous name, and no coded actor of the record is this group"
            result.set_aside.append(SetAside(tag_id, f.name, match.text, reason))
            return
        prefix = "weak:" if weak else ""
        if match.sentence in attributed and f.kind is FieldKind.TEXT:
            if self._is_object(match, tokens):
                rule = f"object:{prefix}{tag_id}"
                result.add(Tag(tag_id, "context", "lexicon", rule, f.name, match.text, CONTEXT))
                return
            rule = f"attribution:{prefix}{tag_id}"
            result.add(
                Tag(tag_id, "perpetrator", "lexicon", rule, f.name, match.text, TEXT_ATTRIBUTION)
            )
        elif not weak:
            result.add(
                Tag(tag_id, "context", "lexicon", f"mention:{tag_id}", f.name, match.text, CONTEXT)
            )

    def _is_object(self, match: Match, tokens: Tokens) -> bool:
        """ "Forces kill Taliban militants", "IS militants killed in a raid": the group is
        what was acted on, not the actor (word lists in the packs' attribution block)."""
        words = self.packs.attribution
        i = match.first - 1
        keys, sentences = tokens.keys, tokens.sentences
        while i >= 0 and (keys[i] in words.skip or keys[i].isdigit()):
            i -= 1
        if i >= 0 and keys[i] in words.object_before and sentences[i] == match.sentence:
            return True
        j = match.last + 1
        while j < len(keys) and keys[j] in words.members:
            j += 1
        following = tuple(
            k
            for k, n in zip(keys[j : j + 4], sentences[j : j + 4], strict=True)
            if n == match.sentence
        )
        return any(following[: len(phrase)] == phrase for phrase in words.object_after)

    # --- implied tags ----------------------------------------------------------------

    def _implications(self, country: str | None, result: TagResult) -> None:
        victims = {t.tag for t in result.tags if t.role == "victim"}
        for rule in self.packs.implications.values():
            if rule.source in victims and rule.country in (None, country):
                evidence = next(t for t in result.tags if t.tag == rule.source)
                result.add(
                    Tag(
                        rule.implies,
                        "victim",
                        "cue",
                        f"implies:{rule.id}",
                        evidence.field,
                        evidence.matched,
                        rule.confidence,
                    )
                )

    def _parents(self, result: TagResult) -> None:
        for tag in list(result.tags):
            if tag.tag in self.packs.groups:
                for parent in self.packs.ancestors(tag.tag):
                    rule = f"parent:{tag.tag}<-{tag.rule}"
                    result.add(
                        Tag(
                            parent,
                            tag.role,
                            tag.method,
                            rule,
                            tag.field,
                            tag.matched,
                            tag.confidence,
                        )
                    )


def is_derived(tag: Tag) -> bool:
    """A tag that follows from another tag (a parent group, an implication)."""
    return tag.rule.startswith(("parent:", "implies:"))


@dataclass
class _Record:
    view: RecordView
    units: frozenset[str]
    coded_perpetrators: set[str] = field(default_factory=set)


def _coded_role(f: SourceField) -> str:
    if f.kind is FieldKind.CODE:
        return f.role
    return "perpetrator" if f.role == "perpetrator" else "context"


def _lexicon(packs: ProfilePacks) -> Lexicon:
    lexicon = Lexicon()
    for group in packs.groups.values():
        lexicon.add_all("group", group.id, (t.text for t in group.terms))
        lexicon.add_all("group", group.id, group.acronyms, cased=True)
    for cue in packs.cues.values():
        lexicon.add_all("cue", cue.id, (t.text for t in cue.terms))
    for negative in packs.negatives.values():
        lexicon.add_all("negative", negative.id, (t.text for t in negative.terms))
    for perpetrator in packs.perpetrators.values():
        lexicon.add_all("perpetrator", perpetrator.id, (t.text for t in perpetrator.terms))
        lexicon.add_all("perpetrator", perpetrator.id, perpetrator.acronyms, cased=True)
        lexicon.add_all("weak", perpetrator.id, (t.text for t in perpetrator.weak_terms))
    lexicon.add_all("attribution", "attribution", (t.text for t in packs.attribution.terms))
    return lexicon


def _codes(packs: ProfilePacks) -> dict[tuple[str, str, str], list[str]]:
    """(kind, source, normalised code) -> tag ids."""
    index: dict[tuple[str, str, str], list[str]] = {}
    entries = [("group", g) for g in packs.groups.values()]
    entries += [("perpetrator", p) for p in packs.perpetrators.values()]
    for kind, entry in entries:
        for source, codes in entry.codes.items():
            for code in codes:
                index.setdefault((kind, source, normalise_term(code)), []).append(entry.id)
    return index
