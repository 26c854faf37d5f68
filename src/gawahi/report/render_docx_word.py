"""Word primitives that python-docx lacks: page set-up, styles with a complex-script
(Arabic) font, field codes (PAGE, NUMPAGES, TOC), hyperlinks, repeated header rows and
cell shading. ``render_docx`` walks the report HTML and calls these."""

from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

BODY_FONT = "Noto Serif"
SANS_FONT = "Noto Sans"
ARABIC_FONT = "Noto Naskh Arabic"
MONO_FONT = "DejaVu Sans Mono"
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x44, 0x44, 0x44)
HEADER_FILL = "E8EDF3"
PAGE = {"width": 210, "height": 297, "top": 24, "bottom": 22, "left": 22, "right": 20}
TEXT_WIDTH_MM = PAGE["width"] - PAGE["left"] - PAGE["right"]
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'

# Elements that the schema puts after w:updateFields in w:settings (Word checks the order).
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
_HEADINGS = {"Title": 24, "Heading 1": 15, "Heading 2": 11.5, "Heading 3": 10}
_SMALL = {"Table Text": 8.5, "Annex Text": 7, "Caption": 8, "Note Text": 8}


def set_up(document: Document) -> None:
    """A4 with the PDF's margins, and the report's styles."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
    section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
    _body_styles(document)
    _hyperlink_style(document)
    _update_fields_on_open(document)


def _body_styles(document: Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_FONT, size=10)
    normal.paragraph_format.space_after = Pt(5)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in _HEADINGS.items():
        _fonts(styles[name], SANS_FONT, size=size, colour=ACCENT, bold=True)
    for name, size in _SMALL.items():
        style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        _fonts(style, SANS_FONT, size=size, colour=GREY if name == "Caption" else None)
        style.paragraph_format.space_after = Pt(2)
        style.paragraph_format.line_spacing = 1.0


def _fonts(style: BaseStyle, latin: str, size: float, colour: RGBColor | None = None,
           bold: bool | None = None) -> None:  # fmt: skip
    font = style.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = latin, Pt(size), bold
    if colour is not None:
        font.color.rgb = colour
    properties = style.element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:cs"), ARABIC_FONT)
    _complex_script_size(properties, size)


def _complex_script_size(properties: OxmlElement, size: float) -> None:
    """``w:szCs`` (the size of Arabic-script text) right after ``w:sz``, as the schema orders."""
    size_cs = properties.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        properties.get_or_add_sz().addnext(size_cs)
    size_cs.set(qn("w:val"), str(round(size * 2)))


def _hyperlink_style(document: Document) -> None:
    style = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    style.font.color.rgb = ACCENT
    style.font.underline = True


def _update_fields_on_open(document: Document) -> None:
    """Ask Word to update the contents and page fields when the file is opened."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings = document.settings.element
    later = [child for child in settings if child.tag in {qn(t) for t in _AFTER_UPDATE_FIELDS}]
    if later:
        later[0].addprevious(update)
    else:
        settings.append(update)


def header_and_footer(document: Document, case_ref: str, title: str) -> None:
    """Case reference in the header (not on the cover); "Page X of Y" in the footer."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    _text_line(section.header.paragraphs[0], case_ref, title)
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _small(paragraph.add_run("Page "))
        field(paragraph, "PAGE", "1")
        _small(paragraph.add_run(" of "))
        field(paragraph, "NUMPAGES", "1")


def _text_line(paragraph: Paragraph, left: str, right: str) -> None:
    width = Mm(TEXT_WIDTH_MM)
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _small(paragraph.add_run(f"{left}\t{right}"))


def _small(run: Run) -> Run:
    run.font.size, run.font.name = Pt(7.5), SANS_FONT
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    return run


def field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A simple field (PAGE, NUMPAGES) showing ``shown`` until Word updates it."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {instruction} ")
    run = _small(paragraph.add_run(shown))
    simple.append(run._r)
    paragraph._p.append(simple)


def toc_field(document: Document, entries: list[str]) -> None:
    """A Word table of contents over Heading 1-3; until it is updated it shows ``entries``."""
    lines = entries or ["Update this field to build the table of contents."]
    paragraphs = [document.add_paragraph(line) for line in lines]
    first, last = paragraphs[0], paragraphs[-1]
    text = first.runs[0]._r
    for part in (_field_char("begin"), _instruction(TOC_INSTRUCTION), _field_char("separate")):
        text.addprevious(part)
    last._p.append(_field_char("end"))


def _field_char(kind: str) -> OxmlElement:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _instruction(text: str) -> OxmlElement:
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {text} "
    run.append(instr)
    return run


def hyperlink(paragraph: Paragraph, url: str) -> OxmlElement:
    """An empty external hyperlink at the end of ``paragraph``; runs are moved into it."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    paragraph._p.append(link)
    return link


def repeat_header(table: Table, rows: int) -> None:
    """Mark the first ``rows`` rows as a header that Word repeats on every page."""
    for row in table.rows[:rows]:
        properties = row._tr.get_or_add_trPr()
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        properties.append(element)


def keep_rows_whole(table: Table) -> None:
    for row in table.rows:
        element = OxmlElement("w:cantSplit")
        element.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(element)


def shade(cell_element: OxmlElement, fill: str = HEADER_FILL) -> None:
    """Fill a table cell (``<w:tc>``) with a background colour."""
    properties = cell_element.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)
