"""Keyword classifier and language detector (EN/FR/DE), and the extractor's classify() on a real PDF."""

from __future__ import annotations

import pytest

from tests.pdfs import make_pdf
from zapdoc.domain.documents import Source
from zapdoc.extraction.classify import classify_text, detect_language
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

SAMPLES: dict[str, str] = {
    "invoice": """ACME Ltd\nInvoice Number: 42\nInvoice Date: 2024-03-01\nBill To: Globex\n
Description Qty Amount\nWidgets 2 20.00\nSubtotal 20.00\nVAT 4.00\nAmount due 24.00
Payment terms: 30 days""",
    "facture": """Facture n° F-12\nDate de facture : 3 mars 2024\nDésignation Qté Montant\nPain 2 3,00
Total HT 3,00 €\nTVA 0,17 €\nTotal TTC 3,17 €\nÉchéance : 2 avril 2024""",
    "rechnung": """Rechnung\nRechnungsnummer: 2024-7\nRechnungsdatum: 03.04.2024\nNettobetrag 100,00
zzgl. 19% MwSt. 19,00\nGesamtbetrag 119,00\nZahlbar innerhalb von 14 Tagen""",
    "receipt": """SUPERMARKT\nKassenbon\nMilch 1,29\nSUMME 1,29\nBar 2,00\nRückgeld 0,71
Vielen Dank für Ihren Einkauf""",
    "resume": """Jane Smith\njane@example.org\nExperience\nAcme, Engineer\nEducation
MSc Informatics, TU Munich\nSkills\nPython, Go\nLanguages\nEnglish, German""",
    "contract": """NON-DISCLOSURE AGREEMENT\nThis Agreement is made between A Inc. and B Ltd. (the "Parties").
WHEREAS the parties wish to exchange Confidential Information; the Recipient shall hold it in confidence.
Term and termination. This Agreement shall be governed by the laws of the State of Delaware.
IN WITNESS WHEREOF the parties have signed.""",
    "rfp": """Request for Proposal\nRFP No. 2024-17\nScope of work: street lighting
Submission deadline: May 1\nEvaluation criteria: price, quality\nBidders must submit proposals by email.""",
}
EXPECTED = {"facture": "invoice", "rechnung": "invoice"}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_keywords_pick_the_document_type(name: str) -> None:
    # GIVEN a typical document of a type / WHEN classified / THEN that type, with some confidence
    result = classify_text(SAMPLES[name])
    assert result.doc_type == EXPECTED.get(name, name)
    assert 0.6 <= result.confidence <= 0.95


def test_text_without_keywords_is_other() -> None:
    result = classify_text("Weather today: sunny with light winds. Tomorrow: rain.")
    assert result.doc_type == "other"
    assert 0.0 <= result.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("This is the invoice for the work we did for you and your team.", "en"),
        ("Voici la facture pour les travaux que nous avons réalisés pour vous et votre équipe.", "fr"),
        ("Das ist die Rechnung für die Arbeiten, die wir für Sie und Ihr Team gemacht haben.", "de"),
        ("Dit is de factuur voor het werk dat wij voor u en uw team hebben gedaan.", "nl"),
        ("12345 67890", "en"),
    ],
)
def test_language_by_stopwords(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_country_codes_in_capitals_do_not_count_as_stopwords() -> None:
    # "DE" and "LA" are codes here, not the French/Spanish words
    assert detect_language("VAT DE123456789 LA DE DE LA the invoice is for the goods and the work") == "en"


def test_extractor_classifies_a_real_pdf() -> None:
    doc = inspect_pdf(Source("r.pdf", make_pdf([SAMPLES["rechnung"]])))
    assert OfflineExtractor().classify(doc).doc_type == "invoice"
