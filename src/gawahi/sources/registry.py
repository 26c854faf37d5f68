"""Which format a file is in: asked for by name, or recognised from its header."""

from __future__ import annotations

import itertools

from gawahi.errors import FormatError
from gawahi.sources.base import Format
from gawahi.sources.textfile import SourceFile, csv_records, open_bytes, open_text


def formats() -> dict[str, Format]:
    """Every built-in format by name, in the order detection tries them."""
    from gawahi.sources import acled, gtd, pbc, ucdp

    found: list[Format] = [
        ucdp.UcdpCsv(),
        ucdp.UcdpApiJson(),
        acled.AcledCsv(),
        gtd.GtdCsv(),
        gtd.GtdXlsx(),
        pbc.PbcSuicideCsv(),
        pbc.PbcDroneCsv(),
    ]
    return {fmt.name: fmt for fmt in found}


def choose(source: SourceFile, name: str | None = None) -> Format:
    """The format for ``source``: the one named, or the one its header shows."""
    known = formats()
    if name is not None:
        if name not in known:
            raise FormatError(source.path, f"unknown format {name!r}; known: {', '.join(known)}")
        return known[name]
    header = peek_header(source)
    for fmt in known.values():
        if fmt.detect(source, header):
            return fmt
    shown = ", ".join(header[:8]) + (" ..." if len(header) > 8 else "")
    raise FormatError(
        source.path,
        f"format not recognised from its header ({shown}); "
        f"pass --format ({', '.join(known)}) or --mapping",
    )


def peek_header(source: SourceFile) -> list[str]:
    """The column names: first CSV row, first worksheet row, or a JSON page's keys."""
    if source.is_xlsx:
        from gawahi.sources.gtd import xlsx_header

        return xlsx_header(source)
    if _looks_json(source):
        return ["Result"] if _json_has_result(source) else []
    with open_text(source) as (text, _):
        first = next(iter(csv_records(text)), (1, []))
    return first[1]


def _looks_json(source: SourceFile) -> bool:
    with open_bytes(source) as (data, _):
        head = data.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def _json_has_result(source: SourceFile) -> bool:
    with open_bytes(source) as (data, _):
        head = b"".join(itertools.islice(iter(lambda: data.read(4096), b""), 16))
    return b'"Result"' in head
