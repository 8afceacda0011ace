"""Tell what a file is from its bytes, never its name: users rename PNGs to .pdf and zip Word files.

``sniff`` answers ``"pdf"``, ``"zip"``, ``EINVOICE_XML`` (an XML e-invoice: UN/CEFACT CII or UBL, judged
by its root element and namespace) or a short description for a user ("a PNG image", "plain text").
"""

from __future__ import annotations

import codecs
import re
import struct

PDF_HEADER_WINDOW = 1024
"""Readers accept up to this many bytes of junk before ``%PDF-`` (e.g. a mail or HTTP header)."""

EINVOICE_XML = "xml e-invoice"
"""What ``sniff`` answers for a standalone XML e-invoice (XRechnung, Factur-X/ZUGFeRD XML, Peppol UBL)."""
XML_SNIFF_WINDOW = 64 * 1024
"""Bytes read to find an XML file's root element (e-invoice samples open with long licence comments)."""

# (namespace, root element) of the e-invoice syntaxes -> syntax name.
EINVOICE_ROOTS: dict[tuple[str, str], str] = {
    ("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "CrossIndustryInvoice"): "CII",
    ("urn:ferd:CrossIndustryDocument:invoice:1p0", "CrossIndustryDocument"): "ZUGFeRD 1",
    ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice"): "UBL",
    ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote"): "UBL",
}

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Magic bytes at offset 0, checked in order, and what to tell the user.
_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"AT&TFORM", "a DjVu document"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"OggS", "an audio file (Ogg)"),
    (b"fLaC", "an audio file (FLAC)"),
    (b"ID3", "an audio file (MP3)"),
)


def sniff(data: bytes) -> str:
    """Return ``"pdf"``, ``"zip"``, or what the bytes are instead, as a phrase for an error message."""
    if not data:
        return "an empty file"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_ZIP_MAGICS):
        return _zip_kind(data)
    if data.startswith(_OLE2_MAGIC):
        return _ole2_kind(data)
    for magic, description in _MAGICS:
        if data.startswith(magic):
            return description
    other = _container_kind(data)
    if other:
        return other
    if einvoice_syntax(data) is not None:
        return EINVOICE_XML
    # A PDF after some junk (a mail header, a BOM, a download banner): viewers open it, so do we.
    if data.find(b"%PDF-", 0, PDF_HEADER_WINDOW + 5) >= 0:
        return "pdf"
    return _text_kind(data)


def _container_kind(data: bytes) -> str:
    """Formats recognised by a tag after a fixed prefix (RIFF, ISO media, tar)."""
    if data.startswith(b"RIFF") and len(data) >= 12:
        return {b"WEBP": "a WebP image", b"WAVE": "an audio file (WAV)", b"AVI ": "a video (AVI)"}.get(
            data[8:12], "a RIFF media file"
        )
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"avif"):
            return "a HEIC/AVIF image"
        return "a video or audio file (MP4/MOV)"
    if data[257:262] == b"ustar":
        return "a tar archive"
    if data.startswith(b"BM") and len(data) >= 14 and data[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image"
    return ""


def _zip_kind(data: bytes) -> str:
    """A zip, unless it is an Office/OpenDocument/EPUB file, which are zips a user does not call zips."""
    first_name, first_payload = _first_local_entry(data)
    if first_name == "mimetype":
        mime = first_payload.strip()
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            return "an OpenDocument file (LibreOffice/OpenOffice)"
        if mime == b"application/epub+zip":
            return "an EPUB e-book"
    names = zip_entry_names(data, stop_after=5000) or []
    if "[Content_Types].xml" in names or first_name == "[Content_Types].xml":
        tops = {n.split("/", 1)[0] for n in names}
        if "word" in tops:
            return "a Word document"
        if "xl" in tops:
            return "an Excel workbook"
        if "ppt" in tops:
            return "a PowerPoint presentation"
        return "a Microsoft Office document"
    return "zip"


def _first_local_entry(data: bytes) -> tuple[str, bytes]:
    """Name and first bytes of the first local file entry (enough to read an ODF/EPUB ``mimetype``)."""
    if not data.startswith(b"PK\x03\x04") or len(data) < 30:
        return "", b""
    name_len, extra_len = struct.unpack_from("<HH", data, 26)
    start = 30 + name_len + extra_len
    name = data[30 : 30 + name_len].decode("utf-8", "replace")
    return name, data[start : start + 80]


def zip_entry_names(data: bytes, *, stop_after: int) -> list[str] | None:
    """Names in a zip's central directory, read without trusting its declared counts.

    Stops once more than ``stop_after`` names are read, so a forged directory of millions of entries
    costs nothing; ``None`` when there is no readable end-of-directory record.
    """
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if eocd < 0 or len(data) - eocd < 22:
        return None
    _, _, _, _, total, cd_size, cd_offset, _ = struct.unpack_from("<4s4H2LH", data, eocd)
    cd_end = eocd
    if total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        locator = eocd - 20
        record = locator - 56
        if (
            record < 0
            or data[locator : locator + 4] != b"PK\x06\x07"
            or data[record : record + 4] != (b"PK\x06\x06")
        ):
            return None
        cd_size = struct.unpack_from("<Q", data, record + 40)[0]
        cd_end = record
    pos = cd_end - cd_size
    if pos < 0:
        return None
    names: list[str] = []
    while pos + 46 <= cd_end and len(names) <= stop_after:
        if data[pos : pos + 4] != b"PK\x01\x02":
            break
        flags = struct.unpack_from("<H", data, pos + 8)[0]
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        raw = data[pos + 46 : pos + 46 + name_len]
        names.append(raw.decode("utf-8" if flags & 0x800 else "cp437", "replace"))
        pos += 46 + name_len + extra_len + comment_len
    return names


def _ole2_kind(data: bytes) -> str:
    """Legacy Office files share one container; the stream names (UTF-16) tell them apart."""
    if "WordDocument".encode("utf-16-le") in data:
        return "a Word document"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "an Excel workbook"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "a PowerPoint presentation"
    if "__substg1.0_".encode("utf-16-le") in data:
        return "an Outlook message"
    return "a Microsoft Office document"


_PROLOG_RE = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_START_TAG_RE = re.compile(r"<(?:([\w.-]+):)?([\w.-]+)((?:\s[^<>]*)?)/?>")
_XMLNS_RE = re.compile(r"""xmlns(?::([\w.-]+))?\s*=\s*(["'])(.*?)\2""")


def einvoice_syntax(data: bytes) -> str | None:
    """ "CII", "ZUGFeRD 1" or "UBL" when ``data`` is XML whose root element is an e-invoice's, else None.

    Only the prolog and the root's start tag are read (from the first ``XML_SNIFF_WINDOW`` bytes); an XML
    with a DTD is not taken for an e-invoice (no standard uses one, and DTDs carry entity tricks).
    """
    text = _decode_text(data[:XML_SNIFF_WINDOW])
    if not text:
        return None
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        m = _PROLOG_RE.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    tag = _START_TAG_RE.match(text, pos)
    if tag is None:
        return None
    prefix, local, attrs = tag.group(1) or "", tag.group(2), tag.group(3)
    namespaces = {m.group(1) or "": m.group(3).strip() for m in _XMLNS_RE.finditer(attrs)}
    return EINVOICE_ROOTS.get((namespaces.get(prefix, ""), local))


_TEXT_SAMPLE = 8192
_TEXT_CONTROLS = "\n\r\t\f\v\x1b"


def _text_kind(data: bytes) -> str:
    """Plain text (UTF-8, UTF-16 with BOM or mostly printable Latin-1), HTML, XML; else binary."""
    sample = data[:_TEXT_SAMPLE]
    text = _decode_text(sample)
    if text is None:
        return "unknown binary data"
    head = text.lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:512]:
        return "a web page (HTML)"
    if head.startswith("<?xml"):
        return "an SVG image" if "<svg" in head[:2048] else "an XML file"
    if head.startswith("<svg"):
        return "an SVG image"
    return "plain text"


def _decode_text(sample: bytes) -> str | None:
    """The sample as text when it looks like text, else None (NULs or many control characters)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = codecs.getincrementaldecoder("utf-16")().decode(sample, final=False)
        except UnicodeDecodeError:
            return None
    else:
        if b"\x00" in sample:
            return None
        try:
            # final=False: a multi-byte character cut by the sample's end is not an error.
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
        except UnicodeDecodeError:
            text = sample.decode("latin-1")
    if not text:
        return text
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in _TEXT_CONTROLS) or 0x7F <= ord(ch) < 0xA0)
    return text if controls <= len(text) // 100 else None
