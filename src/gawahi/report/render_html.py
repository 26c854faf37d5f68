"""The report as one standalone HTML file: inline CSS, inline SVG charts and maps.

The Jinja2 templates in ``templates/`` are the only templates: the PDF prints this HTML
(``render_pdf``) and the Word file is walked from it (``render_docx``). The input is the
plain dict that ``gawahi.report.context`` builds; autoescaping is on, and only the
``chart_svg`` and ``map_svg`` fields are inserted as markup.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
_MISSING = "—"


def render_html(context: Mapping[str, Any]) -> str:
    """The whole report as a standalone HTML document."""
    return _environment().get_template("report.html.j2").render(**_defaults(context))


def _defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "meta": {},
        "question": {},
        "summary": [],
        "datasets": [],
        "method": [],
        "areas": [],
        "comparison": {},
        "limitations": [],
        "annex": [],
        "citations": [],
    }
    return empty | {key: value for key, value in context.items() if value is not None}


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        bidi=bidi,
        names=names,
        blank=blank,
        interval=interval,
        deaths=deaths,
        longdate=longdate,
        plural=plural,
        area_heading=area_heading,
        source_label=source_label,
        sentence=sentence,
        note_text=note_text,
        actor=actor,
        actors_named=actors_named,
        with_range=with_range,
        number=number,
        figure_group=figure_group,
        is_zero=is_zero,
    )
    return env


def bidi(text: Any) -> Markup:
    """Isolate a name that may be written right to left, so that the numbers and
    punctuation around it keep their order (``<bdi>``; WeasyPrint sets it as a box of its
    own). WeasyPrint ignores ``dir="auto"``, so text that starts right to left says so."""
    if text is None or text == "" or isinstance(text, jinja2.Undefined):
        return Markup("")
    value = str(text)
    direction = "rtl" if starts_right_to_left(value) else "auto"
    return Markup('<bdi dir="{}">{}</bdi>').format(direction, escape(value))


def starts_right_to_left(text: str) -> bool:
    """True when the first strong character is right to left, as ``dir="auto"`` decides."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL", "L"):
            return kind != "L"
    return False


def names(value: Any) -> Markup:
    """A list of names (strings, or dicts with a label), or one string, each isolated."""
    if value is None or isinstance(value, jinja2.Undefined) or value == "":
        return Markup(_MISSING)
    if isinstance(value, str):
        return bidi(value)
    return Markup(", ").join(bidi(_label(item)) for item in value) or Markup(_MISSING)


def _label(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("label") or item.get("tag") or "")
    return str(item)


def blank(value: Any) -> Any:
    """A value as given, or a dash when there is none (0 stays 0). The figures' own "no
    value" (an en dash, ``figures_text.figure_text``) becomes the same dash."""
    if value is None or value in ("", "–") or isinstance(value, jinja2.Undefined):
        return _MISSING
    return value


def is_zero(value: Any) -> bool:
    """True for a count of nothing, as a number or as printed ("0")."""
    return not isinstance(value, bool) and str(value).strip() in ("0", "0.0")


def sentence(text: Any) -> str:
    """Text with its first letter in capitals, as a table cell or note begins."""
    if text is None or isinstance(text, jinja2.Undefined):
        return ""
    value = str(text)
    return value[:1].upper() + value[1:]


def note_text(text: Any) -> str:
    """A figure's note as a footnote: a capital first letter and a full stop."""
    value = sentence(text).strip()
    return value if not value or value.endswith((".", "?", "!")) else f"{value}."


def _actor_labels(perpetrators: Any) -> dict[str, str]:
    if not perpetrators or isinstance(perpetrators, jinja2.Undefined):
        return {}
    return {
        str(p["tag"]): str(p.get("label") or p["tag"])
        for p in perpetrators if isinstance(p, Mapping) and p.get("tag")
    }  # fmt: skip


def actor(tag: Any, perpetrators: Any) -> str:
    """A perpetrator's name for its tag ("lej" as "Lashkar-e-Jhangvi (LeJ)")."""
    value = "" if tag is None or isinstance(tag, jinja2.Undefined) else str(tag)
    return _actor_labels(perpetrators).get(value, value)


def actors_named(text: Any, perpetrators: Any) -> str:
    """A figure's label that ends in a perpetrator's tag, "... any victims (lej)", with
    the perpetrator's name instead, short of its bracket: "... any victims:
    Lashkar-e-Jhangvi" (section 2 and the reach table give the names in full)."""
    value = "" if text is None or isinstance(text, jinja2.Undefined) else str(text)
    labels = _actor_labels(perpetrators)
    shorts = {tag: label.split(" (", 1)[0].strip() or label for tag, label in labels.items()}
    for tag, label in labels.items():
        if value.endswith(f" ({tag})"):
            unique = list(shorts.values()).count(shorts[tag]) == 1
            return f"{value[: -len(tag) - 3]}: {shorts[tag] if unique else label}"
    return value


def interval(value: Any) -> str:
    """An interval given as text, or as a (low, high) pair."""
    if value is None or value == "" or isinstance(value, jinja2.Undefined):
        return _MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        value = (value.get("low"), value.get("high"))
    low, high = list(value)[:2]
    return f"{low}–{high}"


def deaths(value: Any) -> Markup:
    """ "76 (59–95)" as the best figure over its range, so the range never breaks."""
    return with_range(value)


def with_range(value: Any) -> Markup:
    """ "8 (3.45–15.76)", a value and its interval, as the value over its interval."""
    text = str(blank(value))
    best, _, rest = text.partition(" (")
    if not rest:
        return Markup("{}").format(text)
    return Markup('{}<br><span class="range">({}</span>').format(best, rest)


def number(value: Any) -> str:
    """A distance or size as written: 10.0 as "10", 2.5 as "2.5"."""
    if value is None or value == "" or isinstance(value, jinja2.Undefined):
        return _MISSING
    try:
        return f"{float(value):,.10g}"
    except (TypeError, ValueError):
        return str(value)


# The figures of an area's table in groups, by the start of their indicator.
FIGURE_GROUPS = (
    (
        ("profile.", "general.", "rate.", "trend.", "last."),
        "Incidents against the profile, and the general level",
    ),
    (("reach.",), "Perpetrators of concern, whoever their victims"),
    (("route.",), "Route from the arrival airport"),
    (("underreporting.",), "Under-reporting"),
)


def figure_group(indicator: Any) -> str:
    """The heading of the group a figure belongs to in its area's table ("" if none)."""
    value = "" if indicator is None or isinstance(indicator, jinja2.Undefined) else indicator
    return next((title for starts, title in FIGURE_GROUPS if str(value).startswith(starts)), "")


def longdate(value: Any) -> str:
    """An ISO date as "5 December 2025"; anything else as given."""
    if not value or isinstance(value, jinja2.Undefined):
        return _MISSING
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def plural(count: int) -> str:
    return "" if count == 1 else "s"


def area_heading(area: Mapping[str, Any]) -> Markup:
    """ "Home area: Quetta (district)" or "Relocation area: Karachi (division)"."""
    role = "Home area" if area.get("role") == "home" else "Relocation area"
    return Markup("{}: {}").format(role, bidi(area.get("label") or area.get("name")))


def source_label(source: Any) -> str:
    """A finding's source: a string as given, or a citation dict by its headline or key."""
    if isinstance(source, Mapping):
        keys = ("label", "headline", "citation", "uid", "key")
        return str(next((source[k] for k in keys if source.get(k)), ""))
    return str(source)
