"""docs/methodology.md documents every risk indicator, and only the ones that exist.

Each key of ``INDICATORS`` must have its own level-3 heading that is the key in backticks
(``### `profile.incidents` ``), and its section (up to the next heading of level 1-3)
must hold one paragraph for each of the labels below, each starting with the label in
bold (``**Formula.** ...``). A heading of that form whose key is not in ``INDICATORS``
is a stale section. ``problems`` does the checking on any text, so the tests can show
that it catches each kind of mistake.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from gawahi.risk.areas import DEFAULT_AREAS
from gawahi.risk.figures import INDICATORS
from gawahi.risk.reach import EARTH_KM
from gawahi.risk.spec import AssessmentSpec
from gawahi.risk.trend import DISPERSION_LIMIT, MIN_EVENTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"
LABELS = ("Formula", "Inputs", "Assumptions", "Limits", "Example")

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_KEY = re.compile(r"^`([^`\s]+)`$")


def _lines_outside_fences(text: str) -> list[str]:
    """The text's lines, with those inside ``` or ~~~ fences blanked (a "# comment"
    in a shell example is not a heading)."""
    lines, fence = [], ""
    for line in text.splitlines():
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~") and (not fence or marker == fence):
            fence = "" if fence else marker
            lines.append("")
        else:
            lines.append("" if fence else line)
    return lines


def sections(text: str) -> list[tuple[str, str]]:
    """(key, body) for each level-3 heading that is a backticked key, in order."""
    found: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in _lines_outside_fences(text):
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= 3:
            key = _KEY.match(heading.group(2)) if len(heading.group(1)) == 3 else None
            current = [] if key else None
            if key:
                found.append((key.group(1), current))
        elif current is not None:
            current.append(line)
    return [(key, "\n".join(body)) for key, body in found]


def problems(text: str, keys: Iterable[str]) -> list[str]:
    """Everything wrong with the indicator sections of ``text`` against ``keys``."""
    wanted = list(keys)
    documented = sections(text)
    names = [key for key, _ in documented]
    found = [f"`{k}`: no section (a heading '### `{k}`')" for k in wanted if k not in names]
    found += [f"`{k}`: documented but not an indicator any more" for k in names if k not in wanted]
    found += [f"`{k}`: {names.count(k)} sections" for k in sorted(set(names)) if names.count(k) > 1]
    for key, body in documented:
        found += [
            f"`{key}`: no '**{label}.**' paragraph"
            for label in LABELS
            if not re.search(rf"^\*\*{label}\.\*\*\s*\S", body, re.MULTILINE)
        ]
    return found


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_indicator_has_a_complete_section_and_no_other_is_documented() -> None:
    assert problems(_doc(), INDICATORS) == []


def _rename(text: str) -> str:
    return text.replace("### `trend.slope`", "### `trend.slopes`")


def _drop_limits(text: str) -> str:
    head, tail = text.split("### `route.airport`", 1)
    return head + "### `route.airport`" + tail.replace("**Limits.**", "Limits:", 1)


def _duplicate(text: str) -> str:
    return text + "\n### `last.incident`\n\n" + "\n".join(f"**{x}.** x" for x in LABELS)


def _demote(text: str) -> str:
    return text.replace("### `general.share`", "#### `general.share`")


def _fence(text: str) -> str:
    return text.replace("### `reach.nearest`", "```\n### `reach.nearest`\n```")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _rename,
            [
                "`trend.slope`: no section (a heading '### `trend.slope`')",
                "`trend.slopes`: documented but not an indicator any more",
            ],
        ),
        (_drop_limits, ["`route.airport`: no '**Limits.**' paragraph"]),
        (_duplicate, ["`last.incident`: 2 sections"]),
        (_demote, ["`general.share`: no section (a heading '### `general.share`')"]),
        (_fence, ["`reach.nearest`: no section (a heading '### `reach.nearest`')"]),
    ],
    ids=["renamed heading", "missing label", "duplicate", "wrong level", "inside a fence"],
)
def test_the_check_catches_each_kind_of_mistake(
    mutate: Callable[[str], str], expected: list[str]
) -> None:
    text = _doc()
    mutated = mutate(text)
    assert mutated != text, "the mutation no longer applies to the doc; update this test"
    assert problems(mutated, INDICATORS) == expected


def test_a_new_indicator_without_a_section_is_caught() -> None:
    keys = [*INDICATORS, "route.checkpoints"]
    assert problems(_doc(), keys) == [
        "`route.checkpoints`: no section (a heading '### `route.checkpoints`')"
    ]


def _spec_defaults() -> dict[str, object]:
    return {
        f.name: f.default
        for f in dataclasses.fields(AssessmentSpec)
        if isinstance(f.default, int | float) and not isinstance(f.default, bool)
    }


def test_the_parameter_table_quotes_the_code_defaults() -> None:
    code = {
        **_spec_defaults(),
        "DISPERSION_LIMIT": DISPERSION_LIMIT,
        "MIN_EVENTS": MIN_EVENTS,
        "DEFAULT_AREAS": DEFAULT_AREAS,
        "EARTH_KM": EARTH_KM,
    }
    rows = dict(re.findall(r"^\| `(\w+)` \|[^|]*\| ([\d.,]+) \|", _doc(), re.MULTILINE))
    assert set(code) <= set(rows), f"parameters missing from the table: {set(code) - set(rows)}"
    assert {name: float(rows[name].replace(",", "")) for name in code} == code
