"""The field labels are data (extraction/vocabulary/field_labels.json): every label has a language and
example sentences, each of which its own regex and its concept's combined pattern find."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zapdoc.domain.normalize import LANGUAGES
from zapdoc.extraction.labels import CONCEPTS, _field_label_data, data_labels, expand_macros, field_label_rows

ROWS = field_label_rows()
IDS = [f"{o}:{r['lang']}:{r['pattern'][:40]}" for o, r in ROWS]


@pytest.mark.parametrize(("owner", "row"), ROWS, ids=IDS)
def test_every_field_label_is_found_in_its_example_sentences(owner: str, row: dict[str, Any]) -> None:
    # GIVEN a label of the data file
    assert row["examples"], f"{owner} {row['pattern']} has no example sentence"
    assert row["lang"] in (*LANGUAGES, "intl"), row
    assert 0 < float(row["weight"]) <= 1
    (own,) = [label for label in data_labels(owner) if _same(label, row)]
    for sentence in row["examples"]:
        # THEN its own pattern finds it in each example sentence
        assert own.pattern.search(sentence), (row["pattern"], sentence)


def _same(label: Any, row: dict[str, Any]) -> bool:
    source = expand_macros(str(row["pattern"]))
    return bool(label.source == source and label.weight == float(row["weight"]))


def test_every_concept_finds_a_label_in_each_of_its_examples() -> None:
    # the combined pattern of a concept (one alternation, strongest first) reaches every label's example
    for concept in CONCEPTS:
        sentences = [
            e for owner, row in ROWS if data_labels(owner) == concept.labels for e in row["examples"]
        ]
        assert sentences, concept.key
        for sentence in sentences:
            assert concept.combined.search(sentence), (concept.key, sentence)


def test_every_claimed_language_has_invoice_labels() -> None:
    for key in ("invoice_number", "issue_date", "due_date", "total_amount", "net_amount", "tax_amount"):
        assert {str(r["lang"]) for o, r in ROWS if o == key} >= set(LANGUAGES), key
    assert {str(r["lang"]) for o, r in ROWS if o == "@vat_id"} >= set(LANGUAGES)


def test_labels_keep_their_letter_boundaries() -> None:
    # "invoice" is a label; "invoiced" and "reinvoice" are other words
    (invoice,) = [label for label in data_labels("invoice_number") if label.source == "invoice"]
    assert invoice.pattern.search("INVOICE 42")
    assert not invoice.pattern.search("invoiced to")
    assert not re.search(invoice.pattern, "reinvoice")


def test_every_exclusion_disqualifies_its_examples() -> None:
    # GIVEN the words that disqualify a label next to them ("Delivery" before "date")
    exclusions: dict[str, dict[str, dict[str, Any]]] = _field_label_data()["exclusions"]
    by_key = {c.key: c for c in CONCEPTS}
    for key, sides in exclusions.items():
        for side, entry in sides.items():
            pattern = getattr(by_key[key], f"exclude_{side}")
            assert pattern is not None, (key, side)
            assert entry["examples"], (key, side)
            for text in entry["examples"]:
                # THEN the concept's exclusion finds each example text
                assert pattern.search(text), (key, side, text)


def test_an_excluded_label_is_not_taken() -> None:
    from zapdoc.domain.documents import DocumentText
    from zapdoc.domain.fields import parse_fields
    from zapdoc.extraction.offline import OfflineExtractor

    # GIVEN a delivery date before the invoice date
    doc = DocumentText("x.pdf", ("Delivery date: 01.03.2024\nInvoice date: 03.04.2024\nTotal 10.00 EUR",), 1)
    got = OfflineExtractor().extract(doc, parse_fields("issue_date:date"))
    # THEN the delivery date is not the issue date
    assert str(got.values["issue_date"].value) == "2024-04-03"


def test_party_words_mark_the_buyers_labels() -> None:
    from zapdoc.extraction.labels import BUYER_AFTER, BUYER_BEFORE

    words: dict[str, dict[str, Any]] = _field_label_data()["party_words"]
    for text in words["buyer_before"]["examples"]:
        assert BUYER_BEFORE.search(text), text
    for text in words["buyer_after"]["examples"]:
        assert BUYER_AFTER.search(text), text


def test_custom_field_synonyms_match_their_examples_and_stopwords_cover_every_language() -> None:
    from zapdoc.extraction.labels import _STOPWORDS, _SYNONYMS, _custom_fields_data

    data = _custom_fields_data()
    for token, entry in data["synonyms"].items():
        assert entry["examples"], token
        for word in entry["examples"]:
            assert re.fullmatch(_SYNONYMS[token], word, re.IGNORECASE), (token, word)
    assert set(data["stopwords"]) == set(LANGUAGES)
    assert {"the", "der", "le", "het"} <= _STOPWORDS


def test_a_party_field_is_not_the_heading_of_its_section() -> None:
    from zapdoc.extraction.context import BUYER_HEADING, heading

    # "Customer" heads the buyer's section; "Customer VAT Number" and "Customer no." are its fields
    assert heading(BUYER_HEADING, "Customer")
    assert heading(BUYER_HEADING, "Bill to:")
    assert not heading(BUYER_HEADING, "Customer VAT Number ESA12345674")
    assert not heading(BUYER_HEADING, "Customer no. 4711")
    assert not heading(BUYER_HEADING, "Client ID: 88")


def test_every_party_heading_is_found_in_its_example_and_opens_its_party() -> None:
    import json
    from importlib import resources

    from zapdoc.extraction import context, layout

    data = json.loads(
        resources.files("zapdoc.extraction.vocabulary").joinpath("party_headings.json").read_text("utf-8")
    )
    compiled = {
        "section_buyer": context.BUYER_HEADING,
        "section_vendor": context.VENDOR_HEADING,
        "block_buyer": layout._BUYER_HEADING_RE,
        "block_vendor": layout._VENDOR_HEADING_RE,
        "block_delivery": layout._DELIVERY_HEADING_RE,
    }
    for section, pattern in compiled.items():
        rows = data[section]
        assert {row["lang"] for row in rows} >= set(LANGUAGES), section
        for row in rows:
            own = re.compile(rf"^\W{{0,3}}(?:{row['pattern']})(?![^\W\d_])", re.IGNORECASE)
            assert row["examples"], row
            for sentence in row["examples"]:
                assert own.search(sentence), (section, row["pattern"], sentence)
                assert pattern.search(sentence), (section, sentence)


def test_every_issuer_mark_is_found_in_its_example_and_marks_a_sender_text() -> None:
    import json
    from importlib import resources

    from zapdoc.extraction.layout import registration_text

    data = json.loads(
        resources.files("zapdoc.extraction.vocabulary").joinpath("issuer_marks.json").read_text("utf-8")
    )
    for row in data["marks"]:
        own = re.compile(rf"(?<![^\W\d_])(?:{row['pattern']})(?![^\W\d_])", re.IGNORECASE)
        assert row["examples"], row
        for sentence in row["examples"]:
            assert own.search(sentence), (row["pattern"], sentence)
            assert registration_text(sentence), sentence
    # the buyer's own data ("your VAT number") does not mark the issuer
    assert not registration_text("Your VAT number: DE123456789")
