"""UCDP Georeferenced Event Dataset (GED): release CSVs, HDX country files, API JSON pages.

Codebook facts used here (GED codebook, any release since 5.0):
``date_prec`` 1 exact day, 2 a span of 2-6 days, 3 a week, 4 a month, 5 longer;
``where_prec`` 1 exact place, 2 within ~25 km, 3 district (admin 2) only,
4 province (admin 1) only, 5 a region or a road/border, 6 country, 7 international waters.
``type_of_violence`` 1 state-based, 2 non-state, 3 one-sided (against civilians).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any, ClassVar

import orjson

from gawahi.errors import FormatError
from gawahi.incidents.countries import iso3
from gawahi.incidents.record import (
    Actor,
    ActorRole,
    Citation,
    DatePrecision,
    Incident,
    LocationPrecision,
)
from gawahi.sources.base import CsvFormat, Format, Parsed, ProgressFn, header_key, is_hxl_row
from gawahi.sources.rows import Row
from gawahi.sources.textfile import SourceFile, open_bytes

SOURCE = "ucdp-ged"
DATE_PRECISION = {
    "1": DatePrecision.DAY,
    "2": DatePrecision.DAYS,
    "3": DatePrecision.WEEK,
    "4": DatePrecision.MONTH,
    "5": DatePrecision.YEAR,
}
WHERE_PRECISION = {
    "1": LocationPrecision.EXACT,
    "2": LocationPrecision.NEAR,
    "3": LocationPrecision.ADMIN2,
    "4": LocationPrecision.ADMIN1,
    "5": LocationPrecision.REGION,
    "6": LocationPrecision.COUNTRY,
    "7": LocationPrecision.UNKNOWN,
}
VIOLENCE = {"1": "state-based", "2": "non-state", "3": "one-sided"}
REQUIRED = frozenset(
    {
        "id",
        "type_of_violence",
        "date_start",
        "date_end",
        "date_prec",
        "where_prec",
        "side_a",
        "side_b",
        "best",
        "low",
        "high",
    }
)
_RELEASE_IN_NAME = re.compile(r"ged[_-]?(\d{2})(\d)", re.IGNORECASE)


class _UcdpFields:
    """The mapping from GED fields to the incident record, shared by CSV and API JSON."""

    def to_incident(self, row: Row) -> Incident:
        return Incident(
            source=SOURCE,
            source_id=row.required("id") or "",
            raw=row.raw,
            **self._when(row),
            **self._where(row),
            violence_type=row.coded("type_of_violence", VIOLENCE, "UCDP"),
            deaths_best=row.integer("best"),
            deaths_low=row.integer("low"),
            deaths_high=row.integer("high"),
            deaths_civilians=row.integer("deaths_civilians"),
            actors=self._actors(row),
            citations=ucdp_citations(row),
        )

    def _when(self, row: Row) -> dict[str, Any]:
        start, end = row.iso_day("date_start"), row.iso_day("date_end")
        if start and end and end < start:
            row.problem("date_end", row.text("date_end"), "ends before date_start")
        precision = row.coded("date_prec", DATE_PRECISION, "UCDP") or DatePrecision.UNKNOWN
        return {
            "date_start": start,
            "date_end": end,
            "date_precision": precision,
            "date_text": None,
        }

    def _where(self, row: Row) -> dict[str, Any]:
        country = row.text("country")
        return {
            "country": country,
            "country_iso3": row.text("iso3") or iso3(country),
            "admin1": row.text("adm_1"),
            "admin2": row.text("adm_2"),
            "place": row.text("where_coordinates"),
            "location_text": row.text("where_description"),
            "latitude": row.decimal("latitude", -90, 90),
            "longitude": row.decimal("longitude", -180, 180),
            "location_precision": row.coded("where_prec", WHERE_PRECISION, "UCDP")
            or LocationPrecision.UNKNOWN,
            "source_location_precision": row.text("where_prec"),
        }

    def _actors(self, row: Row) -> list[Actor]:
        # One-sided violence: side A acts on side B (civilians). In state-based and
        # non-state conflict both sides fight, so both are recorded as perpetrators.
        one_sided = row.text("type_of_violence") in ("3", "3.0")
        side_b_role = ActorRole.TARGET if one_sided else ActorRole.PERPETRATOR
        actors = []
        for side, role in (("a", ActorRole.PERPETRATOR), ("b", side_b_role)):
            name = row.text(f"side_{side}")
            if name:
                actors.append(Actor(name, role, row.text(f"side_{side}_new_id")))
        return actors


def ucdp_citations(row: Row) -> list[Citation]:
    """GED lists its sources as parallel ``;``-separated office, date and headline fields.

    When the lists do not line up (a headline with a ``;`` in it) the quoted
    ``source_article`` list is read instead; when neither is structured (older
    events), the article text is kept whole as one citation.
    """
    article = row.text("source_article")
    offices = _split(row.text("source_office"))
    dates = _split(row.text("source_date"))
    headlines = _split(row.text("source_headline"))
    if offices and len(offices) == len(dates) == len(headlines):
        return [Citation(o, d, h) for o, d, h in zip(offices, dates, headlines, strict=True)]
    structured = _article_list(article) if offices else []
    if structured and len(structured) == len(offices):
        return structured
    return [Citation(text=article)] if article else []


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in text.split(";")] if text else []


def _article_list(article: str | None) -> list[Citation]:
    if not article:
        return []
    try:
        items = next(csv.reader([article], delimiter=";"))
    except csv.Error:  # free text with line breaks, not a quoted list
        return []
    citations = []
    for item in items:
        parts = item.split(",", 2)
        if len(parts) != 3:
            return []
        citations.append(Citation(parts[0].strip(), parts[1].strip(), parts[2].strip()))
    return citations


class UcdpCsv(_UcdpFields, CsvFormat):
    name = SOURCE
    title = "UCDP Georeferenced Event Dataset (GED)"
    publisher = "Uppsala Conflict Data Program (UCDP), Uppsala University"
    licence = "CC BY 4.0"
    citation = (
        "Sundberg, Ralph and Erik Melander (2013). Introducing the UCDP Georeferenced Event "
        "Dataset. Journal of Peace Research 50(4). Davies, Shawn, Therése Pettersson and "
        "Magnus Öberg (2022). Organized violence 1989-2021 and drone warfare. Journal of Peace "
        "Research 59(4). Högbladh, Stina (2022). UCDP GED Codebook version 22.1. Department of "
        "Peace and Conflict Research, Uppsala University."
    )
    url = "https://ucdp.uu.se/downloads/"
    required: ClassVar[frozenset[str]] = REQUIRED

    def skip_reason(self, values: dict[str, str]) -> str | None:
        # HDX country files carry an HXL hashtag row under the header.
        if is_hxl_row(values):
            return "HXL hashtag row (HDX), not an event"
        return None

    def parse(self, row: Row) -> Incident:
        return self.to_incident(row)

    def version_of(self, source: SourceFile) -> str | None:
        match = _RELEASE_IN_NAME.search(source.path.name)
        return f"{match.group(1)}.{match.group(2)}" if match else None


class UcdpApiJson(_UcdpFields, Format):
    """Pages saved from the UCDP API (``/api/gedevents/<version>``): ``{"Result": [...]}``.

    A file may hold one page, a JSON list of pages, or one page per line (JSON Lines).
    Line numbers in problems are the 1-based position of the event in the file.
    """

    name = "ucdp-api"
    title = UcdpCsv.title
    publisher = UcdpCsv.publisher
    licence = UcdpCsv.licence
    citation = UcdpCsv.citation
    url = "https://ucdpapi.pcr.uu.se/"

    def detect(self, source: SourceFile, header: list[str]) -> bool:
        return "result" in {header_key(h) for h in header}

    def read(self, source: SourceFile, progress: ProgressFn) -> Iterator[Parsed]:
        position = 0
        for page in _pages(source):
            for event in _results(source, page):
                position += 1
                row = Row(position, {k.lower(): _as_text(v) for k, v in event.items()}, raw=event)
                incident = self.to_incident(row)
                yield Parsed(position, incident if not row.problems else None, row.problems)
            progress(source.size)


def _pages(source: SourceFile) -> Iterator[Any]:
    """Pages one by one: JSON Lines stream a page at a time; one JSON document is read whole
    (a saved API page holds at most the API's page size, 1,000 events)."""
    with open_bytes(source) as (data, _):
        first = data.readline()
        try:
            page = orjson.loads(first)
        except orjson.JSONDecodeError:
            loaded = _json_document(source, first + data.read())
            yield from loaded if isinstance(loaded, list) else [loaded]
            return
        if isinstance(page, list):  # a list of pages written on one line
            yield from page
            return
        yield page
        for number, line in enumerate(data, start=2):
            if line.strip():
                yield _json_line(source, number, line)


def _json_document(source: SourceFile, content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise FormatError(source.path, f"not JSON ({exc})") from None


def _json_line(source: SourceFile, number: int, line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise FormatError(source.path, f"not JSON ({exc})", number) from None


def _results(source: SourceFile, page: Any) -> list[dict[str, Any]]:
    results = page.get("Result") if isinstance(page, dict) else None
    if not isinstance(results, list):
        raise FormatError(source.path, 'not a UCDP API page: no "Result" list')
    return results


def _as_text(value: Any) -> str:
    # The API gives numbers as JSON numbers and dates as 2021-12-31T00:00:00; the
    # CSV gives text. Text on both paths keeps one parser and one raw-row shape.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
