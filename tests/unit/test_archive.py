"""expand(): one uploaded file -> documents, with every hostile zip refused and the good entries kept."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile

import pytest

from tests.badinputs import (
    encrypted_entry_zip,
    good_pdf,
    junk_and_folders_zip,
    junk_prefixed_pdf,
    lying_size_bomb,
    many_entries_zip,
    nested_zip,
    overlapping_zip,
    patch_entry,
    png_as_pdf,
    symlink_zip,
    zip_bomb,
    zip_bomb_total,
    zip_of,
    zip_slip,
)
from zapdoc.domain.documents import Rejected, Source
from zapdoc.inputs.archive import Limits, expand

MB = 1024 * 1024


def _split(items: list[Source | Rejected]) -> tuple[list[str], dict[str, str]]:
    """Names of the sources, and reason by name of the rejections."""
    sources = [i.name for i in items if isinstance(i, Source)]
    rejected = {i.name: i.reason for i in items if isinstance(i, Rejected)}
    return sources, rejected


def _random_bytes(size: int, seed: int = 1) -> bytes:
    """Incompressible bytes behind a PDF header: sized entries whose ratio stays near 1."""
    return b"%PDF-1.7\n" + random.Random(seed).randbytes(size)


def test_a_pdf_is_one_source_with_its_bytes() -> None:
    # GIVEN a PDF WHEN expanded THEN it is one source, unchanged
    name, data = good_pdf(name="invoice.pdf")
    assert list(expand(name, data)) == [Source("invoice.pdf", data)]


def test_a_pdf_with_junk_before_its_header_is_a_source() -> None:
    name, data = junk_prefixed_pdf()
    assert list(expand(name, data)) == [Source(name, data)]


def test_a_png_renamed_pdf_is_rejected_saying_what_it_is() -> None:
    # GIVEN a PNG named photo.pdf WHEN expanded THEN one rejection names the real type
    name, data = png_as_pdf()
    assert list(expand(name, data)) == [Rejected(name, "the file is a PNG image, not a PDF or a .zip")]


def test_an_empty_file_is_rejected_as_empty() -> None:
    assert list(expand("empty.pdf", b"")) == [Rejected("empty.pdf", "the file is empty (0 bytes)")]


def test_a_file_over_the_size_limit_is_rejected_without_sniffing() -> None:
    # GIVEN a 2 KB PDF and a 1 KB file limit
    name, data = good_pdf()
    # WHEN expanded THEN it is refused for its size
    [item] = expand(name, data, Limits(max_file_bytes=1024))
    assert isinstance(item, Rejected)
    assert "over the 1 KB limit" in item.reason


def test_zip_entries_become_sources_named_after_archive_and_path_in_sorted_order() -> None:
    # GIVEN a zip with folders, directory entries and Finder/Explorer junk
    name, data = junk_and_folders_zip()
    # WHEN expanded
    items = list(expand(name, data))
    # THEN only the two PDFs come out, named archive/path, sorted; junk and folders silently skipped
    assert [i.name for i in items] == ["mac.zip/invoices/2024/march.pdf", "mac.zip/top.pdf"]
    assert all(isinstance(i, Source) and i.data.startswith(b"%PDF-") for i in items)


def test_zip_bomb_entry_is_rejected_and_the_good_entry_still_comes_out() -> None:
    # GIVEN a zip holding 300 MB of zeros packed ~1000:1 next to a good PDF
    name, data = zip_bomb()
    assert len(data) < 2 * MB
    tracemalloc.start()
    try:
        # WHEN expanded
        sources, rejected = _split(list(expand(name, data)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # THEN the bomb entry is refused as a zip bomb, the good one survives, and memory stayed small
    assert sources == ["bomb.zip/ok.pdf"]
    assert "zip bomb" in rejected["bomb.zip/bomb.pdf"]
    assert peak < 32 * MB


def test_entry_whose_header_lies_about_its_size_is_cut_off_and_rejected() -> None:
    # GIVEN an entry declaring 1,000 bytes that really inflates to 300 MB
    name, data = lying_size_bomb()
    tracemalloc.start()
    try:
        # WHEN expanded
        sources, rejected = _split(list(expand(name, data)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # THEN decompression stopped at the declared size (the check fails: damaged), never near 300 MB
    assert sources == ["liar.zip/ok.pdf"]
    assert "damaged" in rejected["liar.zip/liar.pdf"]
    assert peak < 32 * MB


def test_archive_whose_total_is_a_bomb_is_rejected_whole() -> None:
    # GIVEN 8 entries of 90 MB zeros: each under the per-file limit, 720 MB in total
    name, data = zip_bomb_total()
    # WHEN expanded THEN a single rejection for the archive
    [item] = expand(name, data)
    assert isinstance(item, Rejected)
    assert item.name == "wide-bomb.zip"
    assert "zip bomb" in item.reason


def test_archive_with_overlapping_entries_is_rejected_whole() -> None:
    name, data = overlapping_zip()
    [item] = expand(name, data)
    assert item == Rejected(name, "the archive's entries overlap (a zip-bomb trick); it was not unpacked")


def test_archive_over_the_total_limit_without_being_a_bomb_asks_to_split() -> None:
    # GIVEN three 1 MB incompressible entries and a 2 MB total limit
    name, data = zip_of("big.zip", [(f"{i}.pdf", _random_bytes(MB, seed=i)) for i in range(3)])
    # WHEN expanded THEN the archive is rejected whole, with advice
    [item] = expand(name, data, Limits(max_total_bytes=2 * MB))
    assert isinstance(item, Rejected)
    assert "split it into smaller archives" in item.reason


def test_entry_over_the_size_limit_is_rejected() -> None:
    # GIVEN a 3 MB incompressible entry and a 1 MB limit per entry, next to a small PDF
    pdf = good_pdf()[1]
    name, data = zip_of("sized.zip", [("huge.pdf", _random_bytes(3 * MB)), ("small.pdf", pdf)])
    # WHEN expanded THEN the big entry is refused for its size, the small one comes out
    sources, rejected = _split(list(expand(name, data, Limits(max_entry_bytes=MB))))
    assert sources == ["sized.zip/small.pdf"]
    assert "over the 1.0 MB limit for one file" in rejected["sized.zip/huge.pdf"]


def test_ratio_limit_applies_above_the_floor() -> None:
    # GIVEN 200 KB of zeros (ratio ~ 1000) and a ratio limit of 50 from the first byte
    name, data = zip_of("z.zip", [("zeros.pdf", b"%PDF-1.7\n" + bytes(200 * 1024))])
    # WHEN expanded with and without a floor
    [strict] = expand(name, data, Limits(max_ratio=50, ratio_floor_bytes=0))
    [lenient] = expand(name, data, Limits(max_ratio=50))
    # THEN only the strict setting calls it a bomb; below 1 MB it cannot hurt
    assert isinstance(strict, Rejected)
    assert "zip bomb" in strict.reason
    assert isinstance(lenient, Source)


def test_zip_slip_entries_are_rejected_and_the_good_entry_comes_out() -> None:
    # GIVEN entries ../evil.pdf and /abs.pdf next to ok.pdf
    name, data = zip_slip()
    # WHEN expanded
    sources, rejected = _split(list(expand(name, data)))
    # THEN both escaping paths are refused as zip slip, ok.pdf survives
    assert sources == ["slip.zip/ok.pdf"]
    assert set(rejected) == {"slip.zip/../evil.pdf", "slip.zip//abs.pdf"}
    assert all("zip slip" in reason for reason in rejected.values())


@pytest.mark.parametrize(
    "path", ["..\\win.pdf", "docs/../../up.pdf", "C:/windows/x.pdf", "\\\\server\\x.pdf"]
)
def test_windows_and_nested_escapes_are_zip_slip_too(path: str) -> None:
    name, data = zip_of("w.zip", [(path, good_pdf()[1])])
    [item] = expand(name, data)
    assert isinstance(item, Rejected)
    assert "zip slip" in item.reason


def test_too_many_entries_rejects_the_archive_whole() -> None:
    # GIVEN 1,001 PDFs in one zip (the default limit is 1,000)
    name, data = many_entries_zip()
    # WHEN expanded THEN one rejection for the archive, no documents
    [item] = expand(name, data)
    assert isinstance(item, Rejected)
    assert item.name == "many.zip"
    assert "1,001 files" in item.reason


def test_folders_and_junk_do_not_count_as_entries() -> None:
    # GIVEN 2 PDFs plus folder entries and junk, with a limit of 2 entries
    name, data = junk_and_folders_zip()
    # WHEN expanded THEN both PDFs come out
    sources, rejected = _split(list(expand(name, data, Limits(max_entries=2))))
    assert len(sources) == 2
    assert rejected == {}


def test_encrypted_entry_is_rejected_and_the_other_comes_out() -> None:
    name, data = encrypted_entry_zip()
    sources, rejected = _split(list(expand(name, data)))
    assert sources == ["locked.zip/ok.pdf"]
    assert "encrypted with a password" in rejected["locked.zip/secret.pdf"]


def test_symlink_entry_is_rejected_and_not_followed() -> None:
    name, data = symlink_zip()
    sources, rejected = _split(list(expand(name, data)))
    assert sources == ["links.zip/ok.pdf"]
    assert "symbolic link" in rejected["links.zip/link.pdf"]


def test_nested_zip_is_an_error_row_by_default() -> None:
    name, data = nested_zip()
    sources, rejected = _split(list(expand(name, data)))
    assert sources == ["outer.zip/ok.pdf"]
    assert "inside the .zip" in rejected["outer.zip/inner.zip"]


def test_nested_zip_is_unpacked_when_nesting_is_allowed() -> None:
    name, data = nested_zip()
    sources, rejected = _split(list(expand(name, data, Limits(max_nesting=1))))
    assert sources == ["outer.zip/inner.zip/deep.pdf", "outer.zip/ok.pdf"]
    assert rejected == {}


def test_non_pdf_entries_are_rejected_with_what_they_are() -> None:
    # GIVEN a zip with a text file, a PNG and an empty entry beside a PDF
    name, data = zip_of(
        "mixed.zip",
        [
            ("notes.txt", b"call the client"),
            ("scan.pdf", png_as_pdf()[1]),
            ("blank.pdf", b""),
            ("a.pdf", good_pdf()[1]),
        ],
    )
    # WHEN expanded
    sources, rejected = _split(list(expand(name, data)))
    # THEN each non-PDF says what it is; the PDF comes out
    assert sources == ["mixed.zip/a.pdf"]
    assert rejected == {
        "mixed.zip/blank.pdf": "the entry is empty (0 bytes)",
        "mixed.zip/notes.txt": "the entry is plain text, not a PDF",
        "mixed.zip/scan.pdf": "the entry is a PNG image, not a PDF",
    }


def test_damaged_zip_is_rejected_whole() -> None:
    # GIVEN a zip cut in half (its central directory is gone)
    name, data = zip_of("cut.zip", [("a.pdf", good_pdf()[1]), ("b.pdf", good_pdf()[1])])
    # WHEN expanded THEN one rejection saying it is damaged
    [item] = expand(name, data[: len(data) // 2])
    assert isinstance(item, Rejected)
    assert item.name == "cut.zip"
    assert "damaged or incomplete" in item.reason


def test_entry_with_corrupted_data_is_rejected_and_the_other_comes_out() -> None:
    # GIVEN a zip where bytes inside one entry's compressed data were flipped
    pdf = good_pdf()[1]
    name, data = zip_of("flip.zip", [("bad.pdf", pdf), ("good.pdf", pdf)])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        start = zf.getinfo("bad.pdf").header_offset + 30 + len("bad.pdf")
    broken = bytearray(data)
    for offset in range(start + 40, start + 60):
        broken[offset] ^= 0xFF
    # WHEN expanded
    sources, rejected = _split(list(expand(name, bytes(broken))))
    # THEN the corrupted entry is refused as damaged, the other survives
    assert sources == ["flip.zip/good.pdf"]
    assert "damaged" in rejected["flip.zip/bad.pdf"]


def test_unsupported_compression_method_is_named() -> None:
    # GIVEN an entry whose method is patched to 99 (AES, which zipfile cannot read)
    name, data = zip_of("aes.zip", [("x.pdf", good_pdf()[1])])
    data = patch_entry(data, "x.pdf", local_at=8, central_at=10, fmt="<H", update=lambda _: 99)
    [item] = expand(name, data)
    assert isinstance(item, Rejected)
    assert "unsupported compression method" in item.reason


def test_empty_archive_gets_a_row_instead_of_vanishing() -> None:
    # GIVEN a zip holding only a folder and junk WHEN expanded THEN the user hears about it
    name, data = zip_of("hollow.zip", [("dir/", b""), (".DS_Store", b"x")])
    assert list(expand(name, data)) == [Rejected("hollow.zip", "the .zip archive contains no files")]


def test_office_file_inside_a_zip_is_named_not_treated_as_a_nested_zip() -> None:
    _, docx = zip_of(
        "x.docx", [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]
    )
    name, data = zip_of("docs.zip", [("letter.docx", docx)])
    assert list(expand(name, data)) == [
        Rejected("docs.zip/letter.docx", "the entry is a Word document, not a PDF")
    ]
