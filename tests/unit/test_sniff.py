"""sniff(): the type comes from the bytes, never the name, and is told in words a user understands."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from tests.badinputs import good_pdf, junk_prefixed_pdf, png_as_pdf, zip_of
from zapdoc.inputs.sniff import PDF_HEADER_WINDOW, sniff, zip_entry_names


def test_pdf_is_recognised_by_its_header() -> None:
    # GIVEN a real PDF WHEN sniffed THEN it is a PDF
    assert sniff(good_pdf()[1]) == "pdf"


def test_pdf_after_junk_within_1024_bytes_is_still_a_pdf() -> None:
    # GIVEN a PDF behind a mail header (readers accept up to 1024 bytes of junk)
    _, data = junk_prefixed_pdf()
    assert not data.startswith(b"%PDF-")
    # WHEN sniffed THEN it is a PDF
    assert sniff(data) == "pdf"


def test_pdf_header_past_the_window_is_not_a_pdf() -> None:
    # GIVEN text whose %PDF- marker comes after the 1024 bytes readers tolerate
    data = b"a" * (PDF_HEADER_WINDOW + 10) + good_pdf()[1]
    # WHEN sniffed THEN it is not taken for a PDF
    assert sniff(data) != "pdf"


def test_png_renamed_to_pdf_is_a_png() -> None:
    # GIVEN a real PNG saved as photo.pdf WHEN sniffed THEN the name does not matter
    name, data = png_as_pdf()
    assert name.endswith(".pdf")
    assert sniff(data) == "a PNG image"


def test_zip_is_recognised_even_when_its_first_entry_is_a_stored_pdf() -> None:
    # GIVEN a zip whose first entry is an uncompressed PDF, so "%PDF-" sits in its first 1024 bytes
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("a.pdf", good_pdf()[1])
    data = buf.getvalue()
    assert data.find(b"%PDF-", 0, PDF_HEADER_WINDOW) > 0
    # WHEN sniffed THEN it is a zip (the archive wins over the junk-tolerant PDF rule)
    assert sniff(data) == "zip"


def test_excel_workbook_is_not_called_a_zip() -> None:
    # GIVEN a real .xlsx written by openpyxl (a zip inside)
    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["a", 1])
    wb.save(buf)
    # WHEN sniffed THEN the user is told it is an Excel workbook
    assert sniff(buf.getvalue()) == "an Excel workbook"


def test_word_document_is_recognised_from_its_parts() -> None:
    # GIVEN the parts of a .docx
    _, data = zip_of(
        "x.docx", [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]
    )
    # WHEN sniffed THEN it is a Word document
    assert sniff(data) == "a Word document"


def test_legacy_word_file_is_recognised() -> None:
    # GIVEN an OLE2 container holding a WordDocument stream name (as .doc files do)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "WordDocument".encode("utf-16-le") + bytes(100)
    # WHEN sniffed THEN it is a Word document
    assert sniff(data) == "a Word document"


def test_opendocument_is_recognised_by_its_mimetype_entry() -> None:
    # GIVEN an .odt: a zip whose first entry "mimetype" is stored uncompressed
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    # WHEN sniffed THEN it is an OpenDocument file
    assert sniff(buf.getvalue()).startswith("an OpenDocument file")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "an empty file"),
        (b"Hello, this is a note.\nSecond line.\n", "plain text"),
        ("Rechnung über 12 €\n".encode() * 500, "plain text"),  # a multi-byte character cut at 8 KiB
        (b"\xef\xbb\xbfBOM text", "plain text"),
        ("utf16 text".encode("utf-16"), "plain text"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "a web page (HTML)"),
        (b"<?xml version='1.0'?><root/>", "an XML file"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"II*\x00\x08\x00\x00\x00", "a TIFF image"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a WebP image"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "a HEIC/AVIF image"),
        (b"\x1f\x8b\x08\x00\x00\x00", "a gzip archive"),
        (b"Rar!\x1a\x07\x01\x00", "a RAR archive"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "a 7-Zip archive"),
        (b"{\\rtf1\\ansi hello}", "an RTF document"),
        (b"MZ\x90\x00\x03\x00", "a Windows program"),
    ],
)
def test_other_kinds_are_described_for_a_user(data: bytes, expected: str) -> None:
    # GIVEN bytes of some other kind WHEN sniffed THEN the description names it
    assert sniff(data) == expected


def test_random_bytes_are_unknown_binary_data() -> None:
    # GIVEN incompressible random bytes (seeded: the same every run)
    data = b"\x01\x02" + random.Random(7).randbytes(4096)
    # WHEN sniffed THEN they are unknown binary data
    assert sniff(data) == "unknown binary data"


def test_zip_entry_names_stops_after_the_limit() -> None:
    # GIVEN a zip of 50 entries
    _, data = zip_of("z.zip", [(f"f{i}.pdf", b"x") for i in range(50)])
    # WHEN its names are listed with a limit of 10
    names = zip_entry_names(data, stop_after=10)
    # THEN the walk stopped just past the limit, and a full walk finds all 50
    assert names is not None
    assert len(names) == 11
    assert len(zip_entry_names(data, stop_after=1000) or []) == 50


def test_zip_entry_names_of_a_non_zip_is_none() -> None:
    # GIVEN bytes without an end-of-central-directory record THEN there is no listing
    assert zip_entry_names(b"PK\x03\x04 not really", stop_after=10) is None
