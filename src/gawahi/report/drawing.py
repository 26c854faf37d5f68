"""What every chart and map of the report shares: the Noto fonts, a sober print style and
deterministic SVG output.

Text stays text (``svg.fonttype: none``), in Noto Sans with Noto Naskh Arabic after it:
browsers shape Urdu, Persian and Pashto names themselves in the HTML report, and for
print (PDF, and the pictures in Word) ``render_svg_text.for_print`` replaces every
Arabic-script label with its HarfBuzz-shaped outlines, since WeasyPrint sets SVG text a
letter at a time. Latin text is left to WeasyPrint: as glyph outlines (matplotlib's
``path`` type) every letter of every label became a path WeasyPrint had to parse and
draw again, a fifth of the flagship report's printing time. matplotlib lays text out with
libraqm (>= 3.11), so label sizes and anchors are measured on the shaped text.
Figures are built with ``matplotlib.figure.Figure`` (never
pyplot), inside an ``rc_context`` that is undone when the drawing is done.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib import font_manager, ft2font
from matplotlib.figure import Figure

from gawahi.errors import ConfigError

FAMILIES = ("Noto Sans", "Noto Naskh Arabic")  # Latin first, then Arabic script
A4_WIDTH_IN = 6.3  # the text width of an A4 page with 2.5 cm margins, in inches
INK = "#222222"
GREY = "#8c8c8c"
LIGHT = "#bdbdbd"
ACCENT = "#b2182b"  # one accent colour, dark red: prints as a dark grey
HASH_SALT = "gawahi"

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": HASH_SALT,
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8.5,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#333333",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.color": INK,
    "figure.facecolor": "white",
}


def font_family() -> list[str]:
    """The font families every text is drawn with; ConfigError when one is not installed."""
    for family in FAMILIES:
        font_file(family)
    return list(FAMILIES)


def font_file(family: str) -> str:
    """The file of ``family`` (regular weight), found by matplotlib's font manager."""
    prop = font_manager.FontProperties(family=family)
    try:
        return str(font_manager.fontManager.findfont(prop, fallback_to_default=False))
    except ValueError:
        pass
    # matplotlib's font cache may predate the font's installation: look at the disk once.
    wanted = family.replace(" ", "") + "-Regular."
    for path in font_manager.findSystemFonts():
        if Path(path).name.startswith(wanted):
            font_manager.fontManager.addfont(path)
            return str(path)
    raise ConfigError(
        f"the font {family!r} is not installed; charts and maps need it: "
        "install fonts-noto-core (Debian/Ubuntu: apt-get install fonts-noto-core)"
    )


def check_shaping() -> None:
    """ConfigError unless matplotlib lays text out with libraqm (matplotlib >= 3.11):
    without it, Arabic-script names would come out as unjoined letters, left to right."""
    if not getattr(ft2font, "__libraqm_version__", None):
        raise ConfigError(
            f"matplotlib {matplotlib.__version__} cannot shape Urdu, Persian or Pashto "
            "script (no libraqm text layout): install matplotlib >= 3.11"
        )


@contextmanager
def drawing() -> Iterator[None]:
    """Build and save a figure inside this: the report's fonts and style, undone after."""
    check_shaping()
    with matplotlib.rc_context({**_STYLE, "font.family": font_family()}):
        yield


def to_svg(fig: Figure) -> str:
    """The figure as SVG text: labels as ``<text>``, no date, stable ids (call inside
    ``drawing()``)."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
