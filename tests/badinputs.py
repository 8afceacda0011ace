"""Builders of hostile and broken inputs, as real bytes: each returns ``(file name, bytes)``.

Used by the input-layer unit tests and by the pipeline/CLI tests (``bad_input_suite()`` says what each
case must produce). Nothing is written to disk; the zip bomb is built streaming.
"""

from __future__ import annotations

import functools
import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pypdf
from pypdf.generic import DictionaryObject, NameObject, NumberObject

from tests.pdfs import make_pdf

DEFAULT_TEXT = "Invoice INV-2024-001\nDate: 2024-03-04\nTotal: 1,234.56 EUR"


def good_pdf(text: str = DEFAULT_TEXT, *, name: str = "good.pdf", pages: int = 1) -> tuple[str, bytes]:
    """A valid text-layer PDF: ``pages`` pages, each with ``text`` (and its page number)."""
    texts = [text if pages == 1 else f"{text}\nPage {i + 1}" for i in range(pages)]
    return name, make_pdf(texts)


@functools.cache
def _ok_pdf() -> bytes:
    return make_pdf([DEFAULT_TEXT])


def zip_of(name: str, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> tuple[str, bytes]:
    """A deflated zip with the entries in the order given (names are used verbatim, even unsafe ones)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries:
            if isinstance(entry, zipfile.ZipInfo):
                zf.writestr(entry, data)
            else:
                zf.writestr(zipfile.ZipInfo(entry), data, compress_type=zipfile.ZIP_DEFLATED)
    return name, buf.getvalue()


@functools.cache
def zip_bomb(megabytes: int = 300) -> tuple[str, bytes]:
    """``bomb.zip``: an entry of ``megabytes`` MB of zeros (behind a PDF header) that packs ~1000:1,
    next to a good ``ok.pdf``. Written in 1 MB chunks, so building it never holds the expanded data."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("ok.pdf", _ok_pdf())
        with zf.open("bomb.pdf", "w", force_zip64=True) as entry:
            entry.write(b"%PDF-1.7\n")
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                entry.write(chunk)
    return "bomb.zip", buf.getvalue()


@functools.cache
def zip_bomb_total(entries: int = 8, megabytes: int = 90) -> tuple[str, bytes]:
    """``wide-bomb.zip``: many entries each under the per-file limit whose total is far over it."""
    buf = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for i in range(entries):
            with zf.open(f"part-{i}.pdf", "w", force_zip64=True) as entry:
                entry.write(b"%PDF-1.7\n")
                for _ in range(megabytes):
                    entry.write(chunk)
    return "wide-bomb.zip", buf.getvalue()


def overlapping_zip() -> tuple[str, bytes]:
    """``overlap.zip``: two directory entries pointing at the same compressed data (the trick behind
    non-recursive zip bombs, where thousands of entries expand one kernel)."""
    _, data = zip_of("overlap.zip", [("a.pdf", _ok_pdf())])
    eocd = data.rfind(b"PK\x05\x06")
    (cd_size, cd_offset) = struct.unpack_from("<LL", data, eocd + 12)
    record = data[cd_offset : cd_offset + cd_size]
    twin = record.replace(b"a.pdf", b"b.pdf")
    new_eocd = bytearray(data[eocd:])
    struct.pack_into("<HHL", new_eocd, 8, 2, 2, cd_size * 2)
    return "overlap.zip", data[:cd_offset] + record + twin + bytes(new_eocd)


def zip_slip() -> tuple[str, bytes]:
    """``slip.zip``: entries ``../evil.pdf`` and ``/abs.pdf`` that would land outside an unpack folder."""
    pdf = _ok_pdf()
    return zip_of("slip.zip", [("../evil.pdf", pdf), ("/abs.pdf", pdf), ("ok.pdf", pdf)])


def many_entries_zip(count: int = 1001) -> tuple[str, bytes]:
    """``many.zip``: ``count`` small PDFs (one over the default limit of 1000)."""
    pdf = _ok_pdf()
    return zip_of("many.zip", [(f"doc-{i:04d}.pdf", pdf) for i in range(count)])


def encrypted_entry_zip() -> tuple[str, bytes]:
    """``locked.zip``: ``secret.pdf`` flagged as encrypted (flag bit 0 set in both its local and its
    central header; zipfile cannot write encrypted entries) next to a good ``ok.pdf``."""
    _, data = zip_of("locked.zip", [("secret.pdf", _ok_pdf()), ("ok.pdf", _ok_pdf())])
    return "locked.zip", set_flag_bits(data, "secret.pdf", 0x1)


def set_flag_bits(data: bytes, entry: str, bits: int) -> bytes:
    """Set general-purpose flag ``bits`` of ``entry`` in its local header and central-directory record."""
    return patch_entry(data, entry, local_at=6, central_at=8, fmt="<H", update=lambda old: old | bits)


def patch_entry(
    data: bytes, entry: str, *, local_at: int, central_at: int, fmt: str, update: Callable[[int], int]
) -> bytes:
    """Rewrite one field of ``entry`` in its local header (at offset ``local_at``) and its central record
    (at ``central_at``): how the tests forge flags, methods and sizes that zipfile would never write."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(entry).header_offset
    struct.pack_into(fmt, out, local + local_at, update(struct.unpack_from(fmt, out, local + local_at)[0]))
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + name_len] == entry.encode():
            at = pos + central_at
            struct.pack_into(fmt, out, at, update(struct.unpack_from(fmt, out, at)[0]))
        pos = data.find(b"PK\x01\x02", pos + 46)
    return bytes(out)


@functools.cache
def lying_size_bomb(megabytes: int = 300) -> tuple[str, bytes]:
    """``liar.zip``: ``liar.pdf`` declares 1,000 bytes uncompressed but inflates to ``megabytes`` MB,
    next to a good ``ok.pdf``: only streaming with a cap (not the declared size) keeps this bounded."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("ok.pdf", _ok_pdf())
        with zf.open("liar.pdf", "w") as entry:
            entry.write(b"%PDF-1.7\n")
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                entry.write(chunk)
    forged = patch_entry(
        buf.getvalue(), "liar.pdf", local_at=22, central_at=24, fmt="<L", update=lambda _: 1000
    )
    return "liar.zip", forged


def symlink_zip() -> tuple[str, bytes]:
    """``links.zip``: ``link.pdf`` is a Unix symlink to /etc/passwd (S_IFLNK in external_attr)."""
    link = zipfile.ZipInfo("link.pdf")
    link.create_system = 3  # Unix: the high 16 bits of external_attr are st_mode
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return zip_of("links.zip", [(link, b"/etc/passwd"), ("ok.pdf", _ok_pdf())])


def nested_zip() -> tuple[str, bytes]:
    """``outer.zip``: holds ``inner.zip`` (itself holding a PDF) and a good ``ok.pdf``."""
    _, inner = zip_of("inner.zip", [("deep.pdf", _ok_pdf())])
    return zip_of("outer.zip", [("inner.zip", inner), ("ok.pdf", _ok_pdf())])


def password_pdf() -> tuple[str, bytes]:
    """``password.pdf``: AES-256 encrypted with a user password, so it cannot be opened without it."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_ok_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="AES-256")
    return "password.pdf", _written(writer)


def lying_count_pdf() -> tuple[str, bytes]:
    """``lying-count.pdf``: 2 real pages, ``/Count 1000`` in the page tree, encrypted with an empty user
    password and an owner password (pypdf <= 6.21.2 returned the forged count for such files)."""
    _, two_pages = good_pdf(pages=2)
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(two_pages)))
    pages = writer._root_object["/Pages"].get_object()
    assert isinstance(pages, DictionaryObject)
    pages[NameObject("/Count")] = NumberObject(1000)
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-128")
    return "lying-count.pdf", _written(writer)


def short_tree_pdf(data: bytes, *, count: int = 1, name: str = "short-tree.pdf") -> tuple[str, bytes]:
    """``short-tree.pdf``: the pages of ``data`` (all of them kids of the page tree, which pypdf walks
    and counts) under a root ``/Count`` of ``count`` (which pdfium believes): pdfium opens only the first
    ``count`` pages, so pages ``count + 1``... have no text and no image to read."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    pages = writer._root_object["/Pages"].get_object()
    assert isinstance(pages, DictionaryObject)
    pages[NameObject("/Count")] = NumberObject(count)
    return name, _written(writer)


def truncated_pdf() -> tuple[str, bytes]:
    """``truncated.pdf``: the first half of a good three-page PDF (an interrupted upload)."""
    _, data = good_pdf(pages=3)
    return "truncated.pdf", data[: len(data) // 2]


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand from object bodies (object 1 is the catalog), with a correct xref table:
    for structures no PDF library would write, such as a page tree that loops."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def cyclic_pages_pdf() -> tuple[str, bytes]:
    """``loop.pdf``: a page tree whose two nodes are each other's kid (a classic parser trap)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    node_a = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    node_b = b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"
    return "loop.pdf", raw_pdf([catalog, node_a, node_b])


def zero_page_pdf() -> tuple[str, bytes]:
    """``no-pages.pdf``: a well-formed PDF whose page tree is empty."""
    return "no-pages.pdf", raw_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )


def empty_file() -> tuple[str, bytes]:
    """``empty.pdf``: zero bytes."""
    return "empty.pdf", b""


def png_as_pdf() -> tuple[str, bytes]:
    """``photo.pdf``: a real 1x1 PNG image renamed to .pdf."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte + one red pixel
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return "photo.pdf", png


def junk_prefixed_pdf() -> tuple[str, bytes]:
    """``prefixed.pdf``: a good PDF after 300 bytes of junk (a mail header), which readers accept."""
    return "prefixed.pdf", b"X-Mailer: scanner v1.0\r\n" * 12 + b"\r\n" + _ok_pdf()


def junk_and_folders_zip() -> tuple[str, bytes]:
    """``mac.zip``: PDFs in nested folders plus Finder/Explorer junk and directory entries."""
    pdf = _ok_pdf()
    return zip_of(
        "mac.zip",
        [
            ("invoices/", b""),
            ("invoices/2024/", b""),
            ("invoices/2024/march.pdf", pdf),
            ("invoices/.DS_Store", b"\x00\x00\x00\x01Bud1"),
            ("__MACOSX/invoices/2024/._march.pdf", b"\x00\x05\x16\x07"),
            ("Thumbs.db", b"\xd0\xcf\x11\xe0"),
            ("top.pdf", pdf),
        ],
    )


def _written(writer: pypdf.PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class BadCase:
    """One hostile input and what the system must make of it.

    ``errors`` maps each document name that must be an error row to words its reason contains;
    ``ok`` maps each document name that must still succeed to its page count.
    """

    file: str
    data: bytes
    errors: dict[str, str] = field(default_factory=dict)
    ok: dict[str, int] = field(default_factory=dict)


def bad_input_suite() -> list[BadCase]:
    """The acceptance suite (issue 2, item 5): every hostile input, one case each."""
    cases = [
        (zip_bomb(), {"bomb.zip/bomb.pdf": "zip bomb"}, {"bomb.zip/ok.pdf": 1}),
        (
            zip_slip(),
            {"slip.zip/../evil.pdf": "zip slip", "slip.zip//abs.pdf": "zip slip"},
            {"slip.zip/ok.pdf": 1},
        ),
        (many_entries_zip(), {"many.zip": "1,001 files"}, {}),
        (encrypted_entry_zip(), {"locked.zip/secret.pdf": "encrypted"}, {"locked.zip/ok.pdf": 1}),
        (password_pdf(), {"password.pdf": "password-protected"}, {}),
        (lying_count_pdf(), {}, {"lying-count.pdf": 2}),
        (truncated_pdf(), {"truncated.pdf": "incomplete"}, {}),
        (empty_file(), {"empty.pdf": "empty"}, {}),
        (png_as_pdf(), {"photo.pdf": "PNG image"}, {}),
        (nested_zip(), {"outer.zip/inner.zip": "inside"}, {"outer.zip/ok.pdf": 1}),
        (symlink_zip(), {"links.zip/link.pdf": "symbolic link"}, {"links.zip/ok.pdf": 1}),
    ]
    return [BadCase(file=name, data=data, errors=errors, ok=ok) for (name, data), errors, ok in cases]
