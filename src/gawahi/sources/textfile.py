"""Opening source files: compression, checksum, text encoding, and streaming rows.

A file is read twice: once as bytes (sha256, encoding evidence) and once as
rows. Neither pass holds more than a chunk in memory, whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import itertools
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import charset_normalizer

from gawahi.errors import EncodingError, FormatError, InputError

CHUNK = 1 << 20
SAMPLE_LIMIT = 256 * 1024
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx")
WINDOWS_1252 = "windows-1252"
# UTF-8 text whose header has R's "ï..name" artefact: a BOM that R read as Latin-1 and
# wrote back as the single byte 0xEF (GTD re-exports). The stray byte reads as "ï".
UTF8_R_HEADER = "utf-8 (R header byte)"
_R_ARTEFACT = b"\xef.."
# Latin-script blocks: a legacy file whose non-ASCII text falls only in these is Windows-1252.
_LATIN_BLOCKS = (
    "Basic Latin",
    "Latin",
    "Control character",
    "General Punctuation",
    "Currency Symbols",
    "Mathematical Operators",
    "Letterlike Symbols",
    "Spacing Modifier Letters",
    "Number Forms",
)

Progress = Callable[[int], None]


def _whatwg_1252(error: UnicodeDecodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined decode to the C1 control of the same
    # value, as browsers (WHATWG windows-1252) do: the byte is kept, never lost.
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("gawahi-c1", _whatwg_1252)
csv.field_size_limit(16 * 1024 * 1024)  # one field of 16 MB is a broken file, not a record


@dataclass(frozen=True, slots=True)
class SourceFile:
    """What gawahi knows about a file before reading its rows."""

    path: Path
    sha256: str
    size: int
    compression: str | None  # None, "gzip" or "zip"
    member: str | None  # the data file inside a zip
    encoding: str | None  # None for binary formats (xlsx)

    @property
    def inner_name(self) -> str:
        """The name of the data itself: the zip member, or the file without ``.gz``."""
        if self.member:
            return self.member
        name = self.path.name
        return name[:-3] if name.lower().endswith(".gz") else name

    @property
    def is_xlsx(self) -> bool:
        return self.inner_name.lower().endswith(".xlsx")


def inspect(path: Path | str, encoding: str | None = None) -> SourceFile:
    """Checksum the file, find its data, and decide its text encoding."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    sha, size = _checksum(path)
    compression, member = _container(path)
    source = SourceFile(path, sha, size, compression, member, None)
    if source.is_xlsx:
        return source
    chosen = _check_named(source, encoding) if encoding else _detect_encoding(source)
    return SourceFile(path, sha, size, compression, member, chosen)


def _checksum(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _container(path: Path) -> tuple[str | None, str | None]:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic[:2] == b"\x1f\x8b":
        return "gzip", None
    if magic == b"PK\x03\x04" and not path.name.lower().endswith(".xlsx"):
        return "zip", _zip_member(path)
    return None, None


def _zip_member(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise FormatError(path, f"damaged zip file ({exc})") from None
    if "[Content_Types].xml" in names:
        raise FormatError(path, "this is an Excel workbook; name it with .xlsx")
    data = [n for n in names if n.lower().endswith(DATA_SUFFIXES) and not n.startswith("__MACOSX")]
    if len(data) != 1:
        listed = ", ".join(data) or "none"
        raise FormatError(path, f"zip must hold exactly one data file, found: {listed}")
    return data[0]


@contextmanager
def open_bytes(source: SourceFile) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """The decompressed data, and a function telling how many raw bytes were read so far."""
    try:
        with source.path.open("rb") as raw:
            if source.compression == "gzip":
                yield gzip.GzipFile(fileobj=raw), raw.tell
            elif source.compression == "zip":
                with zipfile.ZipFile(raw) as archive, archive.open(source.member or "") as inner:
                    yield inner, raw.tell
            else:
                yield raw, raw.tell
    except (EOFError, gzip.BadGzipFile, zlib.error, zipfile.BadZipFile) as exc:
        kind = "gzip" if source.compression == "gzip" else "zip"
        reason = str(exc) or type(exc).__name__
        raise FormatError(source.path, f"damaged {kind} file ({reason})") from None


def _check_named(source: SourceFile, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise EncodingError(source.path, f"unknown encoding {encoding!r}") from None
    return encoding


def _detect_encoding(source: SourceFile) -> str:
    evidence = _EncodingEvidence()
    with open_bytes(source) as (data, _):
        while chunk := data.read(CHUNK):
            evidence.feed(chunk)
    return evidence.decide(source.path)


class _EncodingEvidence:
    """Watches the bytes go by and keeps what is needed to name their encoding."""

    def __init__(self) -> None:
        self.head = b""
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.utf8_error: tuple[int, int] | None = None  # (line, byte) of the first bad byte
        self.lines_seen = 0
        self.sample: list[bytes] = []
        self.sample_size = 0
        self.r_header = False
        self.utf8_text_seen = False  # valid non-ASCII UTF-8 before any error

    def feed(self, chunk: bytes) -> None:
        if not self.head:
            self.head = chunk[:4096]
            chunk = self._without_r_artefact(chunk)
        if self.utf8_error is None:
            self._check_utf8(chunk)
        if not chunk.isascii() and self.sample_size < SAMPLE_LIMIT:
            self._keep_sample(chunk)
        self.lines_seen += chunk.count(b"\n")

    def _check_utf8(self, chunk: bytes) -> None:
        try:
            self.utf8.decode(chunk)
        except UnicodeDecodeError as exc:
            line = self.lines_seen + chunk.count(b"\n", 0, exc.start) + 1
            self.utf8_error = (line, exc.start)
            chunk = chunk[: exc.start]
        # Multibyte UTF-8 that decoded cleanly is near-impossible by chance in a legacy file.
        if not chunk.isascii():
            self.utf8_text_seen = True

    def _without_r_artefact(self, chunk: bytes) -> bytes:
        first_line = chunk.split(b"\n", 1)[0]
        if _R_ARTEFACT in first_line and not first_line.startswith(codecs.BOM_UTF8):
            self.r_header = True
            return chunk.replace(_R_ARTEFACT, b"i..", 1)
        return chunk

    def _keep_sample(self, chunk: bytes) -> None:
        for line in chunk.split(b"\n"):
            if not line.isascii():
                self.sample.append(line)
                self.sample_size += len(line)

    def decide(self, path: Path) -> str:
        bom = _bom_encoding(self.head)
        if bom:
            return bom
        utf16 = _utf16_without_bom(self.head)
        if utf16:
            return utf16
        if self.utf8_error is None:
            return UTF8_R_HEADER if self.r_header else "utf-8"
        if self.utf8_text_seen:
            line = self.utf8_error[0]
            raise EncodingError(
                path,
                "UTF-8 text with a byte that is not UTF-8; fix that line, or pass --encoding "
                "if the whole file is in another encoding",
                line=line,
            )
        return self._legacy(path)

    def _legacy(self, path: Path) -> str:
        sample = b"\n".join(self.sample)
        best = charset_normalizer.from_bytes(sample).best()
        if best is not None and all(_is_latin(block) for block in best.alphabets):
            return WINDOWS_1252
        line = self.utf8_error[0] if self.utf8_error else None
        guess = f"; it looks like {best.encoding} ({', '.join(best.alphabets)})" if best else ""
        raise EncodingError(
            path,
            "cannot decide the text encoding: not UTF-8, UTF-16 or Windows-1252"
            f"{guess}. Convert it to UTF-8 or pass --encoding",
            line=line,
        )


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte; the side
    the NULs are on tells the byte order."""
    units = len(head) // 2
    if units < 2:
        return None
    if head[1 : units * 2 : 2].count(0) > units / 2:
        return "utf-16-le"
    if head[0 : units * 2 : 2].count(0) > units / 2:
        return "utf-16-be"
    return None


def _is_latin(block: str) -> bool:
    return block.startswith(_LATIN_BLOCKS)


@contextmanager
def open_text(source: SourceFile) -> Iterator[tuple[IO[str], Callable[[], int]]]:
    """The file as text in its decided encoding, with a raw-bytes position for progress."""
    encoding, errors = source.encoding or "utf-8", "strict"
    if encoding == WINDOWS_1252:
        encoding, errors = "cp1252", "gawahi-c1"
    elif encoding == UTF8_R_HEADER:
        encoding, errors = "utf-8", "gawahi-c1"
    with open_bytes(source) as (data, position):
        text = io.TextIOWrapper(data, encoding=encoding, errors=errors, newline="")
        try:
            yield text, position
        except UnicodeDecodeError as exc:
            raise EncodingError(
                source.path, f"not valid {source.encoding} ({exc.reason})"
            ) from None
        finally:
            text.detach()


def sniff_delimiter(header: str) -> str:
    """Comma unless the header line clearly uses another delimiter."""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def csv_records(text: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the physical line it starts on (records may span lines)."""
    first = text.readline()
    # strict: a quote that never closes is an error, not the rest of the file in one field
    reader = csv.reader(
        itertools.chain([first], text), delimiter=sniff_delimiter(first), strict=True
    )
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(getattr(text, "name", "input"), f"CSV error: {exc}", line=start) from None
