"""The report renderers on a fictional context (tests/data/report/): HTML, PDF, Word."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn

from gawahi.errors import ConfigError
from gawahi.report.render import render
from gawahi.report.render_docx import Segment, collapse, extract_svgs, render_docx
from gawahi.report.render_html import render_html
from gawahi.report.render_pdf import render_pdf
from gawahi.report.render_svg import svg_size, svgs_to_png
from gawahi.report.render_svg_text import ARABIC_FONT, font_file, outline_rtl_text, visual_runs

CONTEXT = Path(__file__).parents[1] / "data" / "report" / "fictional_context_rtl_names.json"
URDU = "کوئٹہ"
SECTIONS = [
    "1. Summary of findings",
    "2. The question and the profile",
    "3. Data and method",
    "4. Home area: Quetta (district) — کوئٹہ",
    "5. Relocation area: Karachi (division) — کراچی",
    "6. Relocation area: Lahore (district) — لاہور",
    "7. Home area against each relocation area",
    "8. Limitations",
    "Annex: incidents behind the figures",
]
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    return json.loads(CONTEXT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def html(context: dict[str, Any]) -> str:
    return render_html(context)


@pytest.fixture(scope="module")
def pdf(context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_pdf(context, tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.fixture(scope="module")
def pdf_pages(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True)
    return [_BIDI_MARKS.sub("", page) for page in text.stdout.split("\f")[:-1]]


@pytest.fixture(scope="module")
def word(context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = render_docx(context, tmp_path_factory.mktemp("docx") / "report.docx")
    return docx.Document(str(path))


def _squeeze(text: str) -> str:
    """Text without spaces, line ends or hyphens, as pdftotext may break or join them."""
    return re.sub(r"[\s\-‐]+", "", _BIDI_MARKS.sub("", text))


def _sources(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [source for row in context["annex"] for source in row["sources"]]


# -- HTML ----------------------------------------------------------------------------


def test_html_has_every_section_heading(html: str) -> None:
    tree = lxml.html.document_fromstring(html)
    headings = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    assert headings[1:] == SECTIONS
    assert (
        headings[0]
        == "Risk to Plenari Orbists in Quetta and relocation areas (fictional test report)"
    )


def test_html_lists_every_incident_with_its_sources(html: str, context: dict[str, Any]) -> None:
    tree = lxml.html.document_fromstring(html)
    rows = tree.xpath("//table[contains(@class, 'annex-table')]/tbody/tr")
    assert [row.get("id") for row in rows] == [f"incident-{r['key']}" for r in context["annex"]]
    links = {a.get("href") for a in tree.iter("a")}
    text = " ".join(tree.text_content().split())
    for source in _sources(context):
        assert (source["headline"] or f"“{source['text']}”") in text
        assert not source["url"] or source["url"] in links
    uncited = [s for s in _sources(context) if not s["headline"]]
    assert uncited, "the fixture has a source that cites nothing (PBC)"


def test_html_is_standalone_and_keeps_urdu(html: str) -> None:
    assert "<style>" in html and "@page" in html
    assert "<link" not in html and 'src="http' not in html
    assert f'<bdi dir="rtl">{URDU}، فرضی محلہ</bdi>' in html
    assert html.count("<svg") == 5  # 3 maps and 2 charts: Lahore has no chart


def test_html_escapes_everything_but_the_charts(context: dict[str, Any]) -> None:
    hostile = copy.deepcopy(context)
    hostile["meta"]["title"] = "<script>alert(1)</script>"
    hostile["areas"][0]["findings"] = [{"text": '<svg onload="x()">'}]
    out = render_html(hostile)
    assert "<script>alert" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<svg onload="x()">' not in out
    assert context["areas"][0]["chart_svg"] in out


def test_html_writes_a_dash_for_missing_values_and_accepts_pairs() -> None:
    figure = {"key": "k", "label": "A figure", "value": 0, "interval": [1.5, 2.5], "unit": ""}
    area = {"name": "X", "label": "X", "role": "home", "figures": [figure | {"incidents": None}]}
    tree = lxml.html.document_fromstring(render_html({"areas": [area]}))
    cells = [c.text_content().strip() for c in tree.xpath("//table[@class='figures']//td")][1:]
    assert cells == ["0", "1.5–2.5", "—", "—"]


# -- PDF -----------------------------------------------------------------------------


@needs_poppler
def test_pdf_holds_each_citation_and_every_annex_source(
    pdf_pages: list[str], context: dict[str, Any]
) -> None:
    text = _squeeze("".join(pdf_pages))
    for citation in context["citations"] + [d["citation"] for d in context["datasets"]]:
        assert _squeeze(citation) in text
    for source in _sources(context):
        assert _squeeze(source["url"]) in text
        latin = source["headline"].split("(fictional test headline")[0]
        assert _squeeze(latin if source["headline"].isascii() else URDU) in text


@needs_poppler
def test_pdf_pages_are_numbered_page_x_of_y(pdf_pages: list[str]) -> None:
    total = len(pdf_pages)
    assert total > 1
    for number, page in enumerate(pdf_pages, start=1):
        assert f"Page {number} of {total}" in page


@needs_poppler
def test_pdf_contents_give_the_page_of_each_section(pdf_pages: list[str]) -> None:
    at = next(i for i, page in enumerate(pdf_pages) if "Contents" in page.splitlines())
    for heading in ("1. Summary of findings", "Annex: incidents behind the figures"):
        listed = re.search(re.escape(heading) + r"[\s.]*?(\d+)\s*$", pdf_pages[at], flags=re.M)
        assert listed, heading
        first = next(i for i, page in enumerate(pdf_pages[at + 1 :], start=at + 2)
                     if heading in page.splitlines())  # fmt: skip
        assert int(listed.group(1)) == first


@needs_poppler
def test_pdf_repeats_the_annex_header_on_every_annex_page(pdf_pages: list[str]) -> None:
    start = next(i for i, page in enumerate(pdf_pages) if "incidents, in date order" in page)
    assert len(pdf_pages) - start >= 2
    for page in pdf_pages[start:]:
        assert "Perpetrators" in page and "Victims" in page


@needs_poppler
def test_pdf_footnote_sits_on_the_page_of_its_figure(pdf_pages: list[str]) -> None:
    page = next(p for p in pdf_pages if "Counted once per incident after linkage" in p)
    assert "4.1 Figures" in page


@needs_poppler
def test_pdf_keeps_urdu_text(pdf_pages: list[str]) -> None:
    assert URDU in "".join(pdf_pages)


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo is not installed")
def test_pdf_of_a_thirty_page_annex_renders_in_seconds(
    context: dict[str, Any], tmp_path: Path
) -> None:
    big = copy.deepcopy(context)
    big["annex"] = [dict(row, key=f"c{i}") for i in range(18) for row in context["annex"]]
    started = time.perf_counter()
    path = render_pdf(big, tmp_path / "big.pdf")
    elapsed = time.perf_counter() - started
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages >= 25
    assert elapsed < 30, f"{pages} pages took {elapsed:.1f} s"


# -- Word ----------------------------------------------------------------------------


def test_docx_has_the_headings_as_word_headings(word: Any) -> None:
    styled = [(p.style.name, p.text) for p in word.paragraphs]
    headings = [text for style, text in styled if style == "Heading 1"]
    assert headings == [*SECTIONS, "Notes"]
    assert (
        "Title",
        "Risk to Plenari Orbists in Quetta and relocation areas (fictional test report)",
    ) in styled
    assert {"Heading 2", "Heading 3"} <= {style for style, _ in styled}


def test_docx_annex_has_one_row_per_incident(word: Any, context: dict[str, Any]) -> None:
    annex = next(t for t in word.tables if t.rows[0].cells[0].text == "Incident")
    assert len(annex.rows) - 1 == len(context["annex"])
    assert [row.cells[0].text for row in annex.rows[1:]] == [r["key"] for r in context["annex"]]
    assert annex.columns[6].width > 4 * annex.columns[0].width  # from <col style="width">
    header = annex.rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None
    sources = "\n".join(row.cells[6].text for row in annex.rows[1:])
    for source in _sources(context):
        assert (source["headline"] or source["text"]) in sources and source["url"] in sources


def test_docx_links_every_source_url(word: Any, context: dict[str, Any]) -> None:
    targets = {rel.target_ref for rel in word.part.rels.values() if rel.is_external}
    assert {s["url"] for s in _sources(context) if s["url"]} <= targets


def test_docx_keeps_urdu_and_marks_right_to_left_runs(word: Any) -> None:
    text = "\n".join(p.text for p in word.paragraphs)
    cells = "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert URDU in text and f"{URDU}، فرضی محلہ" in cells
    body = word.element.body
    rtl_runs = [
        r for r in body.iter(qn("w:r")) if r.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None
    ]
    assert any(f"{URDU}، فرضی محلہ" in "".join(t.text for t in r.iter(qn("w:t"))) for r in rtl_runs)


def test_docx_has_contents_field_and_page_numbers(word: Any) -> None:
    instructions = " ".join(i.text for i in word.element.body.iter(qn("w:instrText")))
    assert 'TOC \\o "1-3"' in instructions
    first = next(p for p in word.paragraphs if p._p.find(f".//{qn('w:instrText')}") is not None)
    order = [next(iter(r), r).tag.split("}")[1] for r in first._p.iter(qn("w:r"))]
    assert order[:4] == ["fldChar", "instrText", "fldChar", "t"]
    assert first.text == "1. Summary of findings"
    footer = word.sections[0].footer._element
    fields = [f.get(qn("w:instr")).strip() for f in footer.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert (
        "Case reference: TEST/2024/0001 (fictional)" in word.sections[0].header.paragraphs[0].text
    )
    assert word.settings.element.find(qn("w:updateFields")) is not None


def test_docx_turns_figure_notes_into_numbered_notes(word: Any, context: dict[str, Any]) -> None:
    notes = [f["note"] for a in context["areas"] for f in a["figures"] if f["note"]]
    listed = [p.text for p in word.paragraphs if p.style.name == "Note Text"]
    assert listed == [f"[{n}] {text}" for n, text in enumerate(notes, start=1)]
    cells = "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert "Incidents against Plenari Orbists (fictional test group)[1]" in cells


def test_docx_embeds_each_chart_and_map_as_png(word: Any) -> None:
    assert len(word.inline_shapes) == 5
    images = [p for p in word.part.package.parts if p.partname.endswith(".png")]
    assert len(images) == 5 and all(i.blob.startswith(b"\x89PNG") for i in images)


def test_render_picks_the_format_by_suffix(context: dict[str, Any], tmp_path: Path) -> None:
    page = render(context, tmp_path / "r.html")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ConfigError, match=r"cannot write a report as \.odt"):
        render(context, tmp_path / "r.odt")


def test_an_empty_context_still_renders_in_every_format(tmp_path: Path) -> None:
    for suffix in (".html", ".pdf", ".docx"):
        assert render({}, tmp_path / f"empty{suffix}").stat().st_size > 1000


# -- parts ---------------------------------------------------------------------------


def test_extract_svgs_takes_nested_svgs_whole() -> None:
    page = '<p>a</p><svg viewBox="0 0 2 1"><svg><rect/></svg></svg><p>b</p><SVG></SVG>'
    out, svgs = extract_svgs(page)
    assert out == '<p>a</p><img data-svg="0"><p>b</p><img data-svg="1">'
    assert svgs == ['<svg viewBox="0 0 2 1"><svg><rect/></svg></svg>', "<SVG></SVG>"]


def test_svg_size_reads_units_and_viewbox() -> None:
    assert svg_size('<svg width="72pt" height="36pt">') == (96.0, 48.0)
    assert svg_size('<svg width="100%" viewBox="0 0 640 240">') == (640.0, 240.0)
    assert svg_size("<svg>") == (600.0, 400.0)


def test_svgs_to_png_sizes_each_image() -> None:
    rasters = svgs_to_png(['<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48"/>'])
    assert rasters[0].png.startswith(b"\x89PNG") and rasters[0].width_px == 96


def test_collapse_follows_html_whitespace() -> None:
    plain = collapse([Segment("\n  Hello  ", None), Segment("  world \n", None)])  # type: ignore[arg-type]
    assert [s.text for s in plain] == ["Hello ", "world"]


def test_visual_runs_follow_the_bidi_algorithm() -> None:
    assert visual_runs(f"Quetta {URDU} district") == [
        ("Quetta ", False), (URDU, True), (" district", False)
    ]  # fmt: skip
    assert visual_runs(f"{URDU} 12") == [("12", False), (f"{URDU} ", True)]
    assert visual_runs("کوئٹہ کراچی") == [("کوئٹہ کراچی", True)]


@pytest.mark.skipif(font_file(ARABIC_FONT, False) is None, reason="Noto Naskh Arabic is missing")
def test_outline_rtl_text_replaces_only_arabic_script_labels() -> None:
    pytest.importorskip("uharfbuzz", reason="uharfbuzz shapes SVG labels; it is not installed")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">'
        '<text x="5" y="15" font-size="12">Quetta</text>'
        '<g fill="#123"><text x="50" y="35" font-size="12" text-anchor="middle">'
        f"{URDU}</text></g></svg>"
    )
    out = outline_rtl_text(svg)
    assert ">Quetta</text>" in out and f">{URDU}<" not in out
    path = re.search(r"<path [^>]*>", out)
    assert path and f'aria-label="{URDU}"' in path.group(0) and 'fill="#123"' in path.group(0)
    assert outline_rtl_text("<svg>plain</svg>") == "<svg>plain</svg>"
