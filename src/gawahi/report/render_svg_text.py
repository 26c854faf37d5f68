"""Urdu, Persian and Pashto labels inside SVG charts and maps, drawn as outlines.

WeasyPrint (used for the PDF, and for the PNGs in Word) draws SVG ``<text>`` one letter
at a time: Arabic-script letters come out unjoined and in the wrong order. Before a chart
or map is printed, every ``<text>`` that holds Arabic script is shaped with HarfBuzz
(``uharfbuzz``), ordered by a small subset of the Unicode bidi algorithm (the base
direction is the element's ``direction``, left to right unless given, as browsers do),
and replaced by a ``<path>`` of the glyph outlines. The HTML report keeps the text:
browsers shape it themselves. Text whose font or shaper cannot be found is left as is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
ARABIC_FONT = "Noto Naskh Arabic"
LATIN_FONT = "Noto Sans"
FONT_DIRS = (
    Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
    Path.home() / ".local/share/fonts", Path("/Library/Fonts"), Path("C:/Windows/Fonts"),
)  # fmt: skip
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")
_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_FAMILY = re.compile(r"arab|urdu|nastaliq|naskh|kufi|persian|pashto", re.I)
_COPIED = ("fill", "fill-opacity", "opacity", "transform", "class", "stroke", "stroke-width")
_INHERITED = ("font-size", "font-family", "font-weight", "fill", "text-anchor", "direction")
SVG_FIELDS = ("chart_svg", "map_svg")


def for_print(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a report context whose charts and maps have their Arabic-script labels
    outlined (for WeasyPrint); the context itself is not changed."""
    areas = [_area_for_print(area) for area in context.get("areas") or []]
    return {**context, "areas": areas}


def _area_for_print(area: Mapping[str, Any]) -> dict[str, Any]:
    svgs = {key: outline_rtl_text(area[key]) for key in SVG_FIELDS if area.get(key)}
    return {**area, **svgs}


def outline_rtl_text(svg: str) -> str:
    """The SVG with each ``<text>`` that holds Arabic script replaced by its outlines."""
    if not _ARABIC.search(svg):
        return svg
    try:
        root = etree.fromstring(svg.encode("utf-8"))
    except etree.XMLSyntaxError:
        log.warning("an SVG chart is not well-formed XML; its labels are left as text")
        return svg
    changed = [_outline(text) for text in root.iter(f"{{{SVG_NS}}}text", "text")]
    return etree.tostring(root, encoding="unicode") if any(changed) else svg


def _outline(text: etree._Element) -> bool:
    content = "".join(text.itertext())
    if not _ARABIC.search(content) or _has_positioned_spans(text):
        return False
    style = _style(text)
    try:
        path = draw(content, style)
    except (ImportError, OSError, LookupError) as error:
        log.warning("cannot outline the SVG label %r: %s", content, error)
        return False
    _replace(text, path, content)
    return True


def _has_positioned_spans(text: etree._Element) -> bool:
    return any(span.get(a) for span in text.iterdescendants() for a in ("x", "y", "dx", "dy"))


@dataclass(frozen=True)
class TextStyle:
    x: float
    y: float
    size: float
    families: tuple[str, ...]
    bold: bool
    anchor: str
    rtl: bool


def _style(text: etree._Element) -> TextStyle:
    found = {name: _inherited(text, name) for name in _INHERITED}
    families = tuple(f.strip(" '\"") for f in (found["font-family"] or "").split(",") if f.strip())
    weight = found["font-weight"] or "normal"
    return TextStyle(
        x=_number(text.get("x"), 0.0),
        y=_number(text.get("y"), 0.0),
        size=_number(found["font-size"], 16.0),
        families=families,
        bold=weight == "bold" or (weight.isdigit() and int(weight) >= 600),
        anchor=found["text-anchor"] or "start",
        rtl=found["direction"] == "rtl",
    )


def _inherited(element: etree._Element | None, name: str) -> str | None:
    while element is not None:
        value = element.get(name) or _from_style_attribute(element.get("style", ""), name)
        if value:
            return value.strip()
        element = element.getparent()
    return None


def _from_style_attribute(style: str, name: str) -> str | None:
    found = re.search(rf"(?:^|;)\s*{re.escape(name)}\s*:\s*([^;]+)", style)
    return found.group(1) if found else None


def _number(value: str | None, default: float) -> float:
    found = re.match(r"\s*(-?[0-9]*\.?[0-9]+)", value or "")
    return float(found.group(1)) if found else default


def _replace(text: etree._Element, path_data: str, content: str) -> None:
    namespace = etree.QName(text).namespace
    path = etree.Element(f"{{{namespace}}}path" if namespace else "path")
    path.set("d", path_data)
    path.set("fill", _inherited(text, "fill") or "#000")
    for name in _COPIED:
        if text.get(name) and name != "fill":
            path.set(name, text.get(name, ""))
    path.set("aria-label", content)
    path.tail = text.tail
    parent = text.getparent()
    if parent is not None:
        parent.replace(text, path)


# -- shaping -----------------------------------------------------------------------


def draw(content: str, style: TextStyle) -> str:
    """SVG path data for ``content`` set at (x, y) with the style's size and anchor."""
    runs = visual_runs(content, style.rtl)
    shaped = [_shape(run, rtl, style) for run, rtl in runs]
    width = sum(advance for _, advance in shaped)
    x = style.x - _anchor_shift(style.anchor, style.rtl) * width
    parts = []
    for glyphs, advance in shaped:
        parts.append(_outlines(glyphs, x, style.y))
        x += advance
    return " ".join(part for part in parts if part)


def _anchor_shift(anchor: str, rtl: bool) -> float:
    """How much of the width lies left of x: "start" is the right edge in right-to-left text."""
    if anchor == "middle":
        return 0.5
    return 1.0 if (anchor == "end") != rtl else 0.0


@dataclass(frozen=True)
class _Glyphs:
    font: object
    scale: float
    ids: list[tuple[int, float, float]]  # glyph id, x offset from the run's start, y offset


def _shape(run: str, rtl: bool, style: TextStyle) -> tuple[_Glyphs, float]:
    shaped = _shape_with(_family(run, style.families), run, rtl, style)
    if any(gid == 0 for gid, _, _ in shaped[0].ids):  # a missing glyph: try the fallback
        fallback = ARABIC_FONT if _ARABIC.search(run) else LATIN_FONT
        shaped = _shape_with(fallback, run, rtl, style)
    return shaped


def _shape_with(family: str, run: str, rtl: bool, style: TextStyle) -> tuple[_Glyphs, float]:
    import uharfbuzz as hb

    font, upem = _font(family, style.bold)
    buffer = hb.Buffer()
    buffer.add_str(run)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"
    hb.shape(font, buffer, {})
    scale = style.size / upem
    pen_x, ids = 0.0, []
    for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        ids.append((info.codepoint, (pen_x + pos.x_offset) * scale, pos.y_offset * scale))
        pen_x += pos.x_advance
    return _Glyphs(font, scale, ids), pen_x * scale


def _outlines(glyphs: _Glyphs, x: float, y: float) -> str:
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    out = []
    for gid, dx, dy in glyphs.ids:
        pen = SVGPathPen(None, ntos=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
        s = glyphs.scale
        glyphs.font.draw_glyph_with_pen(gid, TransformPen(pen, (s, 0, 0, -s, x + dx, y - dy)))  # type: ignore[attr-defined]
        out.append(pen.getCommands())
    return " ".join(part for part in out if part)


def _family(run: str, families: tuple[str, ...]) -> str:
    if _ARABIC.search(run):
        wanted = [f for f in families if _ARABIC_FAMILY.search(f)]
        return wanted[0] if wanted and font_file(wanted[0], False) else ARABIC_FONT
    usable = [f for f in families if not _ARABIC_FAMILY.search(f) and font_file(f, False)]
    return usable[0] if usable else LATIN_FONT


@cache
def _font(family: str, bold: bool) -> tuple[object, int]:
    import uharfbuzz as hb

    path = font_file(family, bold) or font_file(family, False)
    if path is None:
        raise LookupError(f"no font file for {family!r}")
    face = hb.Face(path.read_bytes())
    return hb.Font(face), face.upem


@cache
def font_file(family: str, bold: bool) -> Path | None:
    """The file of a font family such as "Noto Naskh Arabic" (Noto's file names)."""
    stem = family.replace(" ", "") + ("-Bold" if bold else "-Regular")
    for folder in FONT_DIRS:
        if folder.is_dir():
            for suffix in (".ttf", ".otf"):
                found = next(folder.rglob(stem + suffix), None)
                if found:
                    return found
    return None


# -- bidi ---------------------------------------------------------------------------


def visual_runs(text: str, rtl_base: bool = False) -> list[tuple[str, bool]]:
    """``text`` as runs in visual order, each with its direction (True: right to left).

    A subset of the Unicode bidi algorithm, enough for labels: strong letters, digits
    (Arabic-Indic digits, and digits after Arabic letters, stay left to right inside
    right-to-left text), neutrals resolved from their neighbours, no explicit embeddings.
    """
    levels = _levels(text, rtl_base)
    runs: list[tuple[str, int]] = []
    for char, level in zip(text, levels, strict=True):
        if runs and runs[-1][1] == level:
            runs[-1] = (runs[-1][0] + char, level)
        else:
            runs.append((char, level))
    return [(run, level % 2 == 1) for run, level in _reorder(runs)]


def _levels(text: str, rtl_base: bool) -> list[int]:
    edge = "R" if rtl_base else "L"
    types = _types(text, edge)
    levels = []
    for i, kind in enumerate(types):
        if kind == "N":
            before = next((t for t in reversed(types[:i]) if t != "N"), edge)
            after = next((t for t in types[i + 1 :] if t != "N"), edge)
            kind = _direction(before) if _direction(before) == _direction(after) else edge
        levels.append(_LEVEL[rtl_base][kind])
    return levels


# Resolved type -> embedding level, for a left-to-right and a right-to-left base.
_LEVEL = {False: {"L": 0, "R": 1, "AN": 2}, True: {"L": 2, "R": 1, "AN": 2}}


def _types(text: str, edge: str) -> list[str]:
    """L, R, N, or AN for a digit after right-to-left letters (else it counts as L)."""
    types, last = [], edge
    for char in text:
        if _ARABIC.search(char) or _HEBREW.search(char):
            kind = last = "R"
        elif _DIGIT.match(char):
            kind = "AN" if last == "R" else "L"
        elif _LETTER.match(char):
            kind = last = "L"
        else:
            kind = "N"
        types.append(kind)
    return types


def _direction(kind: str) -> str:
    return "L" if kind == "L" else "R"


def _reorder(runs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Rule L2: reverse every sequence at each level from the highest to the lowest odd."""
    if not runs:
        return runs
    top = max(level for _, level in runs)
    lowest_odd = min((level for _, level in runs if level % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        runs = _reverse_at(runs, level)
    return runs


def _reverse_at(runs: list[tuple[str, int]], level: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    group: list[tuple[str, int]] = []
    for run in [*runs, ("", -1)]:
        if run[1] >= level:
            group.append(run)
            continue
        out.extend(reversed(group))
        group = []
        if run[1] >= 0:
            out.append(run)
    return out
