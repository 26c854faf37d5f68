"""Inline SVG charts and maps as PNG, for Word (python-docx cannot embed SVG).

All the SVGs of a report are printed in one WeasyPrint run, one page each, sized to the
SVG's own width and height, so they use the same fonts and the same SVG renderer as the
PDF. PDFium (``pypdfium2``) then rasterises each page. Neither step needs a program
outside Python's packages, and neither needs Cairo: cairosvg draws text with Cairo's
"toy" API, which does not shape Arabic script at all.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

DPI = 150  # sharp on paper at the width Word gives a chart; 200 took a second more
_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_DEFAULT = (600.0, 400.0)
_NUMBER = r"([0-9]*\.?[0-9]+)"


@dataclass(frozen=True)
class Raster:
    """One converted SVG: the PNG bytes and its size in CSS pixels (1/96 inch)."""

    png: bytes
    width_px: float
    height_px: float


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height of an SVG in CSS pixels: its width/height, else its viewBox."""
    root = re.search(r"<svg\b[^>]*>", svg, flags=re.S)
    tag = root.group(0) if root else ""
    width, height = _length(tag, "width"), _length(tag, "height")
    if width and height:
        return width, height
    box = re.search(r'viewBox\s*=\s*["\']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+' + _NUMBER + r"[\s,]+"
                    + _NUMBER, tag)  # fmt: skip
    if box:
        return float(box.group(1)), float(box.group(2))
    return _DEFAULT


def _length(tag: str, name: str) -> float | None:
    found = re.search(rf'\s{name}\s*=\s*["\']\s*{_NUMBER}\s*(px|pt|mm|cm|in)?\s*["\']', tag)
    return float(found.group(1)) * _UNITS[found.group(2) or ""] if found else None


def svgs_to_png(svgs: Sequence[str], dpi: int = DPI) -> list[Raster]:
    """Every SVG as a PNG at ``dpi``, in order."""
    if not svgs:
        return []
    sizes = [svg_size(svg) for svg in svgs]
    pdf = _print(svgs, sizes)
    return _rasterise(pdf, sizes, dpi)


def _print(svgs: Sequence[str], sizes: list[tuple[float, float]]) -> bytes:
    import weasyprint

    pages = [_page_css(i, w, h) for i, (w, h) in enumerate(sizes)]
    # As images, not inline: inline, every element of every SVG would be styled by CSS.
    body = "".join(
        f'<div class="svg" style="page: svg{i}"><img src="{_data_uri(svg)}"></div>'
        for i, svg in enumerate(svgs)
    )
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        "html, body { margin: 0; padding: 0; }"
        ".svg { break-after: page; } .svg img { display: block; width: 100%; height: 100%; }"
        f"{''.join(pages)}</style></head><body>{body}</body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(_bare(svg).encode()).decode("ascii")


def _bare(svg: str) -> str:
    """The SVG element alone, without an XML declaration or doctype before it."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _page_css(index: int, width: float, height: float) -> str:
    return (
        f"@page svg{index} {{ size: {width}px {height}px; margin: 0; }}"
        f".svg:nth-child({index + 1}) {{ width: {width}px; height: {height}px; }}"
    )


def _rasterise(pdf: bytes, sizes: list[tuple[float, float]], dpi: int) -> list[Raster]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [_page_png(document[i], w, h, dpi) for i, (w, h) in enumerate(sizes)]
    finally:
        document.close()


def _page_png(page: object, width: float, height: float, dpi: int) -> Raster:
    image = page.render(scale=dpi / 72).to_pil()  # type: ignore[attr-defined]
    out = BytesIO()
    image.save(out, format="PNG")  # optimize=True took seconds per map for a few KB
    return Raster(out.getvalue(), width, height)
