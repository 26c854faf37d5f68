"""The report as PDF: the HTML of ``render_html`` printed by WeasyPrint (CSS paged media:
running header, "Page X of Y", contents with page numbers, footnotes)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gawahi.report.render_html import TEMPLATES, render_html
from gawahi.report.render_svg_text import for_print


def render_pdf(context: Mapping[str, Any], path: str | Path) -> Path:
    """Write the report to ``path`` as PDF and return the path."""
    return html_to_pdf(render_html(_as_images(for_print(context))), path)


def _as_images(context: Mapping[str, Any]) -> Mapping[str, Any]:
    """Charts and maps as SVG images, still vectors: inline, their thousands of elements
    would go through the CSS cascade of the document (2 s of a 12 s flagship report)."""
    areas = [
        {**area, **{k: _image(area.get(k) or "") for k in ("chart_svg", "map_svg")}}
        for area in context.get("areas") or []
    ]
    return {**context, "areas": areas}


def _image(svg: str) -> str:
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="drawing" alt="" src="data:image/svg+xml;base64,{data}">'


def html_to_pdf(html: str, path: str | Path) -> Path:
    """Print report HTML to ``path``; WeasyPrint is imported only when a PDF is wanted."""
    import weasyprint

    target = Path(path)
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES))
    document.write_pdf(target)
    return target


def main(argv: list[str]) -> None:
    """``python -m gawahi.report.render_pdf - OUT.pdf``, the context as JSON on stdin: the
    writer's second process (writer.py). WeasyPrint loads before the context arrives."""
    import sys

    import orjson
    import weasyprint  # noqa: F401

    source, target = argv
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    render_pdf(orjson.loads(raw), target)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
