"""Encodings, compression and CSV records as files really come."""

from __future__ import annotations

import codecs
import gzip
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import EncodingError, FormatError, InputError
from gawahi.sources.importer import import_file
from gawahi.sources.textfile import csv_records, inspect, open_text
from gawahi.store.queries import get_incident
from tests.conftest import DATA

UTF8_TEXT = "id,place\n1,کوئٹہ\n2,Café\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
    ],
)
def test_unicode_encodings_are_recognised(
    tmp_path: Path, encoding: str, prefix: bytes, expected: str
) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(prefix + UTF8_TEXT.encode(encoding))
    source = inspect(path)
    assert source.encoding == expected
    with open_text(source) as (text, _):
        assert [r for _, r in csv_records(text)] == [["id", "place"], ["1", "کوئٹہ"], ["2", "Café"]]


def test_windows_1252_is_read_and_its_undefined_bytes_kept(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,place\n1,Café – “quoted”\n".encode("cp1252") + b"2,odd\x9dbyte\n")
    source = inspect(path)
    assert source.encoding == "windows-1252"
    with open_text(source) as (text, _):
        rows = [r for _, r in csv_records(text)]
    assert rows[1] == ["1", "Café – “quoted”"] and rows[2] == ["2", "odd\x9dbyte"]


def test_an_arabic_script_legacy_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "urdu_cp1256.csv"
    path.write_bytes("id,place\n1,کوئٹہ میں ہزارہ برادری\n".encode("cp1256", errors="replace"))
    with pytest.raises(EncodingError) as caught:
        inspect(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 2: cannot decide the text encoding")
    assert "cp1256" in message and "--encoding" in message


def test_a_named_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "urdu_cp1256.csv"
    path.write_bytes("id,place\n1,کوئٹہ\n".encode("cp1256"))
    source = inspect(path, "cp1256")
    with open_text(source) as (text, _):
        assert [r for _, r in csv_records(text)][1] == ["1", "کوئٹہ"]


def test_an_unknown_encoding_name_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id\n1\n")
    with pytest.raises(EncodingError, match="unknown encoding 'klingon'"):
        inspect(path, "klingon")


def test_gzip_and_zip_files_are_read_inside(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    content = (DATA / "ged_release_no_iso3.csv").read_bytes()
    gz = tmp_path / "ged.csv.gz"
    gz.write_bytes(gzip.compress(content))
    assert import_file(sqlite_engine, gz).new == 2
    archive = tmp_path / "ged221-csv.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("ged221.csv", (DATA / "ged_release_revised_toll.csv").read_bytes())
    report = import_file(sqlite_engine, archive)
    assert (report.new, report.updated) == (1, 1)
    assert get_incident(sqlite_engine, "ucdp-ged:900003")["source_line"] == 10


def test_a_zip_with_several_data_files_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.csv", "id\n1\n")
        out.writestr("b.csv", "id\n2\n")
    with pytest.raises(FormatError, match=r"exactly one data file, found: a\.csv, b\.csv"):
        inspect(archive)


def test_missing_file_and_unknown_format(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    with pytest.raises(InputError, match="no such file"):
        inspect(tmp_path / "nope.csv")
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,size\nred,3\n")
    with pytest.raises(
        FormatError, match=r"format not recognised from its header \(colour, size\)"
    ):
        import_file(sqlite_engine, odd)


def test_semicolon_files_are_split_on_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text('id;place\n1;"a;b"\n')
    with open_text(inspect(path)) as (text, _):
        assert [r for _, r in csv_records(text)] == [["id", "place"], ["1", "a;b"]]


def test_a_quote_that_never_closes_is_an_error_not_a_swallowed_file(tmp_path: Path) -> None:
    path = tmp_path / "unclosed.csv"
    path.write_text('id,place\n1,"Quetta\n2,Lahore\n3,Karachi\n')
    with open_text(inspect(path)) as (text, _), pytest.raises(InputError) as caught:
        list(csv_records(text))
    assert caught.value.line == 2 and "unexpected end of data" in caught.value.reason


def test_utf8_text_with_one_stray_byte_is_refused_not_garbled(tmp_path: Path) -> None:
    path = tmp_path / "mostly_utf8.csv"
    path.write_bytes(b"id,place\n" + "1,Café Peshawar\n".encode() * 40 + b"41,caf\xe9\n")
    with pytest.raises(EncodingError) as caught:
        inspect(path)
    assert caught.value.line == 42
    assert "UTF-8 text with a byte that is not UTF-8" in str(caught.value)


def test_utf16_without_bom_starting_with_urdu_keeps_its_byte_order(tmp_path: Path) -> None:
    path = tmp_path / "urdu16.csv"
    path.write_bytes("نمبر,place\n1,Quetta\n2,Karachi\n".encode("utf-16-le"))
    assert inspect(path).encoding == "utf-16-le"
    path.write_bytes("نمبر,place\n1,Quetta\n2,Karachi\n".encode("utf-16-be"))
    assert inspect(path).encoding == "utf-16-be"


def test_damaged_gzip_is_a_format_error(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    whole = gzip.compress((DATA / "ged_release_no_iso3.csv").read_bytes())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FormatError, match="damaged gzip file"):
        import_file(sqlite_engine, cut)
