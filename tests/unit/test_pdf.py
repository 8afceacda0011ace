"""inspect_pdf()/count_pages(): pages counted by pypdf, text by pdfium, every bad PDF a clear InputError."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
import pytest

from tests.badinputs import (
    cyclic_pages_pdf,
    empty_file,
    good_pdf,
    junk_prefixed_pdf,
    lying_count_pdf,
    password_pdf,
    png_as_pdf,
    short_tree_pdf,
    truncated_pdf,
    zero_page_pdf,
)
from tests.pdfs import make_pdf
from zapdoc.domain.documents import Source
from zapdoc.domain.errors import InputError
from zapdoc.inputs.pdf import _pypdf_texts, count_pages, inspect_pdf, tidy_page_text, unreadable_reason


def test_good_pdf_gives_page_count_and_one_text_per_page() -> None:
    # GIVEN a two-page PDF with different text on each page
    data = make_pdf(["Invoice INV-7\nTotal 12.50", "Page two: IBAN DE89 3704"])
    # WHEN inspected
    doc = inspect_pdf(Source("a.pdf", data))
    # THEN two pages, each with its own text, lines split on \n only, and the bytes kept
    assert doc.name == "a.pdf"
    assert doc.page_count == 2
    assert doc.pages[0].splitlines() == ["Invoice INV-7", "Total 12.50"]
    assert "IBAN DE89 3704" in doc.pages[1]
    assert all("\r" not in page for page in doc.pages)
    assert doc.pdf == data
    assert count_pages(data) == 2


def test_without_text_only_the_count_is_read() -> None:
    _, data = good_pdf(pages=3)
    doc = inspect_pdf(Source("a.pdf", data), with_text=False)
    assert doc.page_count == 3
    assert doc.pages == ()


def test_junk_before_the_header_is_tolerated() -> None:
    name, data = junk_prefixed_pdf()
    doc = inspect_pdf(Source(name, data))
    assert doc.page_count == 1
    assert "INV-2024-001" in doc.pages[0]


def test_lying_count_in_an_encrypted_pdf_is_not_believed() -> None:
    # GIVEN a 2-page PDF, encrypted with an empty user password, whose /Count says 1000
    name, data = lying_count_pdf()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    assert b"/Count 1000" in data
    # WHEN counted and inspected
    doc = inspect_pdf(Source(name, data))
    # THEN pypdf's real count (2) wins, and pdfium's text (it believes 1000) is cut to 2 pages
    assert count_pages(data) == 2
    assert doc.page_count == 2
    assert len(doc.pages) == 2
    assert "Page 1" in doc.pages[0]
    assert "Page 2" in doc.pages[1]


def test_password_protected_pdf_asks_to_remove_the_password() -> None:
    name, data = password_pdf()
    with pytest.raises(InputError) as err:
        inspect_pdf(Source(name, data))
    assert str(err.value) == "the PDF is password-protected: remove the password and upload it again"


def test_truncated_pdf_is_reported_as_incomplete() -> None:
    _, data = truncated_pdf()
    with pytest.raises(InputError, match="incomplete"):
        count_pages(data)


def test_zero_page_pdf_is_reported() -> None:
    name, data = zero_page_pdf()
    with pytest.raises(InputError, match="the PDF has no pages"):
        inspect_pdf(Source(name, data))


def test_page_tree_that_loops_is_reported_as_damaged() -> None:
    # GIVEN a page tree whose nodes are each other's kids WHEN counted THEN an error, not a hang
    _, data = cyclic_pages_pdf()
    with pytest.raises(InputError, match="damaged"):
        count_pages(data)


def test_garbage_after_a_pdf_header_is_reported_as_damaged() -> None:
    data = b"%PDF-1.4\n" + b"garbage " * 100 + b"\n%%EOF\n"
    with pytest.raises(InputError, match="the PDF is damaged and cannot be read"):
        inspect_pdf(Source("x.pdf", data))


@pytest.mark.parametrize(
    ("builder", "message"),
    [(png_as_pdf, "the file is a PNG image, not a PDF"), (empty_file, "the file is empty (0 bytes)")],
)
def test_not_a_pdf_says_what_it_is(builder: Callable[[], tuple[str, bytes]], message: str) -> None:
    name, data = builder()
    with pytest.raises(InputError) as err:
        inspect_pdf(Source(name, data))
    assert str(err.value) == message


def test_clean_text_normalises_line_ends_and_drops_control_characters() -> None:
    # GIVEN text with CRLF, CR, NUL, BEL, VT, C1, a lone surrogate and a non-character
    raw = "a\r\nb\rc\x00d\x07e\x0bf\tg\fh\x85i\ud800j\ufffek"
    # WHEN cleaned THEN only \n \t \f survive among the controls
    assert tidy_page_text(raw) == "a\nb\ncdef\tg\fhijk"


def test_pypdf_fallback_reads_text_and_pads_to_the_count() -> None:
    # GIVEN a one-page PDF read by the fallback path with a count of 2 (as when pdfium cannot open it)
    _, data = good_pdf()
    unreadable: list[int] = []
    texts = _pypdf_texts(data, 2, unreadable)
    # THEN the page's text comes from pypdf and the missing page is empty (and listed as unreadable)
    assert len(texts) == 2
    assert "INV-2024-001" in texts[0]
    assert texts[1] == ""
    assert unreadable == [2]


def test_pages_the_text_reader_cannot_open_make_the_pdf_damaged() -> None:
    # GIVEN 5 pages in the page tree (pypdf counts 5) under /Count 1 (pdfium opens 1)
    name, data = short_tree_pdf(make_pdf(["Invoice 1"] + [f"page {n}" for n in range(2, 6)]))
    assert count_pages(data) == 5
    # WHEN its text is read THEN it is refused as damaged, naming the pages it cannot open
    with pytest.raises(InputError, match=r"has 5 pages but pages 2, 3, 4, 5 cannot be opened"):
        inspect_pdf(Source(name, data))
    # AND counting alone (what intake does before reading) still gives pypdf's count
    assert inspect_pdf(Source(name, data), with_text=False).page_count == 5


def test_unreadable_reason_names_the_pages() -> None:
    assert "none of them can be opened" in unreadable_reason(3, [1, 2, 3])
    assert "has 1 page but none" in unreadable_reason(1, [1])
    assert "page 2 cannot" in unreadable_reason(2, [2])
    assert "and 5 more" in unreadable_reason(20, list(range(6, 21)))
