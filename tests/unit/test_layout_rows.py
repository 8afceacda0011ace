"""A value printed right of its label on the same row, which the text layer put on another line, is
read from the layout (extraction/layout.py ``Layout.right_of``)."""

from __future__ import annotations

from zapdoc.domain.documents import DocumentText, TextSegment
from zapdoc.domain.fields import parse_fields
from zapdoc.extraction.offline import OfflineExtractor

FIELDS = parse_fields("issue_date:date, total_amount:amount")


def _seg(text: str, x0: float, top: float, size: float = 10.0) -> TextSegment:
    return TextSegment(text, 1, x0, x0 + 5.2 * len(text), top, size, 595.0, 842.0)


def _doc(lines: list[str], segments: tuple[TextSegment, ...]) -> DocumentText:
    return DocumentText("letter.pdf", ("\n".join(lines),), 1, segments=segments)


def test_a_letter_date_on_the_labels_row_is_read_though_the_text_layer_puts_it_elsewhere() -> None:
    # GIVEN "Köln, den" and its date on one printed row, but apart in the text layer (another label
    # line in between), and a print timestamp elsewhere
    lines = ["Köln, den", "von Seiten:", "Datum: 30.10.2024 Zeit: 04:59:13", "03.04.2024", "Total 10,00 EUR"]
    segments = (
        _seg("Köln, den", 330, 192),
        _seg("von Seiten:", 330, 204),
        _seg("Datum: 30.10.2024 Zeit: 04:59:13", 400, 800, 4),
        _seg("03.04.2024", 438, 192),
        _seg("Total 10,00 EUR", 330, 400),
    )
    # WHEN extracted with the layout
    got = OfflineExtractor().extract(_doc(lines, segments), FIELDS).values["issue_date"]
    # THEN the date right of the label on its row is the issue date
    assert str(got.value) == "2024-04-03"
    # AND without the layout the text alone gives the timestamp
    alone = OfflineExtractor().extract(_doc(lines, ()), FIELDS).values["issue_date"]
    assert str(alone.value) == "2024-10-30"


def test_a_header_word_right_of_a_label_is_not_a_value() -> None:
    # GIVEN a row of column headers: the word right of "Date" is another header, not a date
    lines = ["Date", "Amount", "12.03.2024 10,00 EUR"]
    segments = (_seg("Date", 60, 300), _seg("Amount", 300, 300), _seg("12.03.2024 10,00 EUR", 60, 312))
    got = OfflineExtractor().extract(_doc(lines, segments), FIELDS).values["issue_date"]
    assert str(got.value) == "2024-03-12"
