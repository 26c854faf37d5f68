"""The report as Word: the HTML of ``render_html`` walked into python-docx.

One set of templates serves every format, so nothing here knows the report's sections:
the walker maps HTML to Word. ``h1.title`` becomes Title, ``h1``-``h3`` Heading 1-3,
``p`` a paragraph, ``ul``/``ol`` list paragraphs, ``table`` a Word table whose ``thead``
rows repeat on each page (column widths from ``<col style="width: N%">``), ``strong``,
``em``, ``code`` and ``sup`` run formatting, ``a href`` a hyperlink, ``nav.toc`` a Word
TOC field, class ``new-page`` a page break before, ``span.footnote`` a "[n]" reference
with the note under "Notes" at the end (python-docx has no footnotes), and each inline
``<svg>`` a PNG (see ``render_svg``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
import lxml.html
from docx.document import Document
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml.html import HtmlElement

from gawahi.report import render_docx_word as word
from gawahi.report.render_html import render_html, starts_right_to_left
from gawahi.report.render_svg import Raster, svgs_to_png
from gawahi.report.render_svg_text import for_print

Container = Document | _Cell
BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "div", "section",
    "nav", "header", "footer", "figure", "figcaption", "article", "main", "aside",
    "blockquote", "pre", "hr", "img",
}  # fmt: skip
_SKIP = {"style", "script", "head", "title", "meta"}
_SPACE = re.compile(r"[ \t\r\n\f]+")
_BREAK = "\u2028"  # a <br>: not whitespace to HTML's collapsing
_TAB = "\ue000"  # a tab the walker writes itself (a list number), kept through collapsing


def render_docx(context: Mapping[str, Any], path: str | Path) -> Path:
    """Write the report to ``path`` as a Word file and return the path."""
    return html_to_docx(render_html(for_print(context)), path)


def html_to_docx(html: str, path: str | Path) -> Path:
    """Convert report HTML (as ``render_html`` writes it) to a Word file."""
    html, svgs = extract_svgs(html)
    root = lxml.html.document_fromstring(html)
    document = docx.Document()
    word.set_up(document)
    case_ref = _text_of(root, "case-ref")
    word.header_and_footer(document, f"Case reference: {case_ref}", _text_of(root, "title"))
    walker = Walker(document, svgs_to_png(svgs))
    walker.flow(document, root.body)
    walker.write_notes()
    target = Path(path)
    document.save(str(target))
    return target


def extract_svgs(html: str) -> tuple[str, list[str]]:
    """Take every top-level ``<svg>`` out of the HTML (an HTML parser would lower-case
    its ``viewBox``), leaving ``<img data-svg="i">`` in its place."""
    svgs: list[str] = []
    parts: list[str] = []
    position = 0
    for start, end in _svg_spans(html):
        parts.append(html[position:start])
        parts.append(f'<img data-svg="{len(svgs)}">')
        svgs.append(html[start:end])
        position = end
    parts.append(html[position:])
    return "".join(parts), svgs


def _svg_spans(html: str) -> Iterator[tuple[int, int]]:
    tags = re.finditer(r"<svg\b|</svg\s*>", html, flags=re.I)
    depth, start = 0, 0
    for tag in tags:
        if tag.group(0)[1] != "/":
            start = tag.start() if depth == 0 else start
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield start, tag.end()


def _text_of(root: HtmlElement, css_class: str) -> str:
    found = root.find_class(css_class)
    return _SPACE.sub(" ", found[0].text_content()).strip() if found else ""


@dataclass(frozen=True)
class Format:
    """How a run of text looks, and where it links."""

    bold: bool = False
    italic: bool = False
    mono: bool = False
    sup: bool = False
    href: str = ""


@dataclass
class Segment:
    text: str
    format: Format


class Walker:
    """Walks HTML elements into a Word document, collecting footnotes on the way."""

    def __init__(self, document: Document, rasters: list[Raster]) -> None:
        self.document = document
        self.rasters = rasters
        self.notes: list[str] = []
        self.used: set[Any] = set()
        self.break_next = False
        self.style_ids: dict[str, str] = {}

    # -- flow and blocks -------------------------------------------------------------

    def flow(self, box: Container, element: HtmlElement, style: str | None = None,
             fmt: Format = Format()) -> None:  # fmt: skip
        """Mixed content: runs of inline content become paragraphs between the blocks."""
        pending = self._text(element.text, fmt)
        for child in element:
            if _tag(child) in BLOCKS:
                self.paragraph(box, pending, style)
                pending = []
                self.block(box, child, style, fmt)
            else:
                pending += self.inline(child, fmt)
            pending += self._text(child.tail, fmt)
        self.paragraph(box, pending, style)

    def block(self, box: Container, element: HtmlElement, style: str | None,
              fmt: Format) -> None:  # fmt: skip
        tag = _tag(element)
        self.break_next = self.break_next or "new-page" in element.classes
        handler = getattr(self, f"_block_{tag}", None)
        if handler is not None:
            handler(box, element, style, fmt)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading(box, element, tag)
        elif tag in ("p", "figcaption", "pre", "blockquote"):
            own = "Caption" if tag == "figcaption" else style
            self.paragraph(box, self.inline_children(element, fmt), own)
        elif tag not in _SKIP and tag != "hr":
            self.flow(box, element, style, fmt)

    def heading(self, box: Container, element: HtmlElement, tag: str) -> None:
        level = min(int(tag[1]), 3)
        style = "Title" if "title" in element.classes else f"Heading {level}"
        if "toc-title" in element.classes:
            style = "TOC Heading"
        self.paragraph(box, self.inline_children(element, Format()), style, force=True)

    def _block_nav(self, box: Container, element: HtmlElement, style: str | None,
                   fmt: Format) -> None:  # fmt: skip
        if "toc" not in element.classes:
            self.flow(box, element, style, fmt)
            return
        title = element.find_class("toc-title")
        self.paragraph(box, self._text(title[0].text_content() if title else "Contents", fmt),
                       "TOC Heading", force=True)  # fmt: skip
        entries = [_SPACE.sub(" ", a.text_content()).strip() for a in element.iter("a")]
        word.toc_field(self.document, entries)

    def _block_ul(self, box: Container, element: HtmlElement, style: str | None,
                  fmt: Format) -> None:  # fmt: skip
        for item in element.iterchildren("li"):
            self.list_item(box, item, "List Bullet", "", fmt)

    def _block_ol(self, box: Container, element: HtmlElement, style: str | None,
                  fmt: Format) -> None:  # fmt: skip
        # Numbers are written out: Word's "List Number" would continue across lists.
        for number, item in enumerate(element.iterchildren("li"), start=1):
            self.list_item(box, item, "List Paragraph", f"{number}.{_TAB}", fmt)

    def list_item(self, box: Container, item: HtmlElement, style: str, label: str,
                  fmt: Format) -> None:  # fmt: skip
        segments = self._text(label, fmt) + self.inline_children(item, fmt)
        paragraph = self.paragraph(box, segments, style, force=True)
        if paragraph is not None and label:
            paragraph.paragraph_format.left_indent = Mm(7)
            paragraph.paragraph_format.first_line_indent = Mm(-7)
            paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(7))

    def _block_img(self, box: Container, element: HtmlElement, style: str | None,
                   fmt: Format) -> None:  # fmt: skip
        index = element.get("data-svg")
        if index is None or int(index) >= len(self.rasters):
            return
        raster = self.rasters[int(index)]
        width_mm = min(word.TEXT_WIDTH_MM, raster.width_px * 25.4 / 96)
        paragraph = self._new_paragraph(box, None)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(BytesIO(raster.png), width=Mm(width_mm))

    def _block_table(self, box: Container, element: HtmlElement, style: str | None,
                     fmt: Format) -> None:  # fmt: skip
        TableWriter(self, element).write(box)

    # -- inline content ----------------------------------------------------------------

    def inline_children(self, element: HtmlElement, fmt: Format) -> list[Segment]:
        segments = self._text(element.text, fmt)
        for child in element:
            segments += self.inline(child, fmt) + self._text(child.tail, fmt)
        return segments

    def inline(self, element: HtmlElement, fmt: Format) -> list[Segment]:
        tag = _tag(element)
        if tag in _SKIP or tag == "img":
            return []
        if tag == "br":
            return [Segment(_BREAK, fmt)]
        if tag == "span" and "footnote" in element.classes:
            return self.footnote(element, fmt)
        return self.inline_children(element, _format(element, tag, fmt))

    def footnote(self, element: HtmlElement, fmt: Format) -> list[Segment]:
        self.notes.append(_SPACE.sub(" ", element.text_content()).strip())
        return [Segment(f"[{len(self.notes)}]", replace(fmt, sup=True, href=""))]

    def _text(self, text: str | None, fmt: Format) -> list[Segment]:
        return [Segment(text, fmt)] if text else []

    # -- paragraphs ----------------------------------------------------------------------

    def paragraph(self, box: Container, segments: list[Segment], style: str | None,
                  force: bool = False) -> Paragraph | None:  # fmt: skip
        """A paragraph from inline segments; whitespace collapses as in HTML."""
        segments = collapse(segments)
        if not segments and not force:
            return None
        paragraph = self._new_paragraph(box, style)
        emit(paragraph, segments)
        return paragraph

    def _new_paragraph(self, box: Container, style: str | None) -> Paragraph:
        if isinstance(box, _Cell) and box._tc not in self.used:
            self.used.add(box._tc)
            paragraph = box.paragraphs[0]
        else:
            paragraph = box.add_paragraph()
        paragraph._p.style = self._style_id(style)
        if self.break_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_next = False
        return paragraph

    def _style_id(self, name: str | None) -> str | None:
        """The id of a paragraph style, looked up once (python-docx searches every time)."""
        if not name or name == "Normal":
            return None
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        return self.style_ids[name]

    def write_notes(self) -> None:
        if not self.notes:
            return
        self.document.add_paragraph("Notes", style="Heading 1")
        for number, text in enumerate(self.notes, start=1):
            self.document.add_paragraph(f"[{number}] {text}", style="Note Text")


class TableWriter:
    """One HTML table as a Word table: header rows repeat, widths follow ``<col>``."""

    def __init__(self, walker: Walker, element: HtmlElement) -> None:
        self.walker = walker
        self.element = element
        self.head = element.xpath("./thead/tr")
        self.rows = self.head + element.xpath("./tbody/tr|./tr|./tfoot/tr")
        self.style = "Annex Text" if _is_annex(element) else "Table Text"

    def write(self, box: Container) -> Table | None:
        columns = max((_width(row) for row in self.rows), default=0)
        if not columns:
            return None
        table = box.add_table(rows=len(self.rows), cols=columns)
        table.style = self.walker.document.styles["Table Grid"]
        table.autofit = False
        widths = self.widths(columns)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)  # the grid, which LibreOffice follows
        for row, tr in zip(table.rows, self.rows, strict=True):
            self.row(row.cells, tr, widths, tr in self.head)
        word.repeat_header(table, len(self.head))
        word.keep_rows_whole(table)
        return table

    def row(self, cells: list[_Cell], tr: HtmlElement, widths: list[float], head: bool) -> None:
        position = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            span = int(td.get("colspan", "1") or 1)
            cell = cells[position]
            if span > 1:
                cell = cell.merge(cells[position + span - 1])
            cell.width = Mm(sum(widths[position : position + span]))
            if head:
                word.shade(cell._tc)
            fmt = Format(bold=head or _tag(td) == "th")
            self.walker.flow(cell, td, self.style, fmt)
            position += span

    def widths(self, columns: int) -> list[float]:
        """Column widths in mm, from ``<col style="width: N%">``, else equal."""
        shares = [_percent(col.get("style", "")) for col in self.element.iter("col")]
        if len(shares) != columns or None in shares:
            shares = [100 / columns] * columns
        total = sum(s for s in shares if s is not None) or 100
        return [word.TEXT_WIDTH_MM * (s or 0) / total for s in shares]


def collapse(segments: list[Segment]) -> list[Segment]:
    """HTML whitespace: runs of spaces become one, none at the start or the end."""
    out: list[Segment] = []
    space_before = True
    for seg in segments:
        text = seg.text if seg.text == _BREAK else _SPACE.sub(" ", seg.text)
        if text == _BREAK:
            space_before = True
        elif space_before:
            text = text.lstrip(" ")
        if text:
            out.append(Segment(text, seg.format))
            space_before = text.endswith((" ", _BREAK))
    while out and out[-1].text != _BREAK:
        out[-1].text = out[-1].text.rstrip(" ")
        if out[-1].text:
            break
        out.pop()
    return out


def emit(paragraph: Paragraph, segments: list[Segment]) -> None:
    """Runs for the segments; consecutive segments with one link share a hyperlink."""
    link_url, link = "", None
    for seg in segments:
        if seg.format.href != link_url:
            link_url = seg.format.href
            link = word.hyperlink(paragraph, link_url) if link_url else None
        run = paragraph.add_run()
        if seg.text == _BREAK:
            run.add_break()
        else:
            run.text = seg.text.replace(_TAB, "\t")
        _style_run(run, seg)
        if link is not None:
            link.append(run._r)


def _style_run(run: Any, seg: Segment) -> None:
    fmt = seg.format
    run.bold = fmt.bold or None
    run.italic = fmt.italic or None
    if fmt.sup:
        run.font.superscript = True
    if fmt.mono:
        run.font.name = word.MONO_FONT
        run.font.size = Pt(8)
    if fmt.href:
        run.style = "Hyperlink"
    if starts_right_to_left(seg.text):
        run.font.rtl = True


def _format(element: HtmlElement, tag: str, fmt: Format) -> Format:
    if tag in ("strong", "b"):
        return replace(fmt, bold=True)
    if tag in ("em", "i", "cite"):
        return replace(fmt, italic=True)
    if tag in ("code", "kbd", "samp") or "key" in element.classes:
        return replace(fmt, mono=True)
    if tag == "sup":
        return replace(fmt, sup=True)
    if tag == "a" and re.match(r"(https?:|mailto:)", element.get("href", "")):
        return replace(fmt, href=element.get("href", ""))
    return fmt


def _tag(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _width(tr: HtmlElement) -> int:
    return sum(int(td.get("colspan", "1") or 1) for td in tr if _tag(td) in ("td", "th"))


def _percent(style: str) -> float | None:
    found = re.search(r"width\s*:\s*([0-9.]+)\s*%", style)
    return float(found.group(1)) if found else None


def _is_annex(element: HtmlElement) -> bool:
    return "annex-table" in element.classes
