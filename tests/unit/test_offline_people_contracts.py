"""The offline extractor on resumes, contracts, receipts and requests for proposal, from real PDFs."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from tests.pdfs import make_pdf
from zapdoc.domain.documents import Extraction, Source
from zapdoc.domain.fields import FieldSpec
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

rng = random.Random()


def extract(pages: list[str], fields: tuple[FieldSpec, ...]) -> Extraction:
    doc = inspect_pdf(Source(f"{rng.getrandbits(32):08x}.pdf", make_pdf(pages)))
    return OfflineExtractor().extract(doc, fields)


def values(extraction: Extraction) -> dict[str, object]:
    return {name: fv.value for name, fv in extraction.values.items()}


def test_resume_header_sections_and_skills() -> None:
    # GIVEN a resume: name, a contact line, experience, education and skills sections
    user = f"jane.smith{rng.randint(1, 999)}"
    text = f"""Jane Smith
Berlin, Germany | {user}@Example.org | +49 151 2345 6789 | janesmith.dev
Experience
Acme Robotics, Senior Software Engineer
2021 – present
• Built robot fleets
Globex, Intern
2019 – 2020
Education
MSc Technical University of Munich, Informatics
2015 – 2017
Skills
Languages: Python, Go, SQL
Tools: Docker and Kubernetes"""
    # WHEN extracted with the resume template
    got = values(extract([text], template_fields("resume")))
    # THEN the latest job and degree are the first entries of their sections
    assert got == {
        "name": "Jane Smith",
        "email": f"{user}@example.org",
        "phone": "+4915123456789",
        "location": "Berlin, Germany",
        "website": "janesmith.dev",
        "latest_employer": "Acme Robotics",
        "latest_position": "Senior Software Engineer",
        "education_institution": "Technical University of Munich",
        "education_degree": "MSc",
        "skills": ["Python", "Go", "SQL", "Docker", "Kubernetes"],
    }


def test_resume_with_position_first_and_no_phone() -> None:
    # GIVEN a resume that lists the title above the employer and prints no phone number
    text = """Max Mustermann
max@example.com
Berufserfahrung
Softwareentwickler
Beispiel GmbH
2020 – heute
Ausbildung
Universität Stuttgart
Bachelor of Science Informatik"""
    got = values(extract([text], template_fields("resume")))
    assert got["latest_position"] == "Softwareentwickler"
    assert got["latest_employer"] == "Beispiel GmbH"
    assert got["education_institution"] == "Universität Stuttgart"
    assert got["education_degree"] == "Bachelor of Science"
    # AND no phone is made up from the years
    assert got["phone"] is None


def test_contract_parties_date_law_and_term() -> None:
    # GIVEN an NDA opening clause, a governing-law clause and a term clause
    text = """MUTUAL NON-DISCLOSURE AGREEMENT
This Mutual Non-Disclosure Agreement is entered into as of March 3, 2021 by and between
Northwind Traders, Inc., a Delaware corporation ("Northwind"), and Contoso Ltd., a company
organized under the laws of England ("Contoso").
1. Term. This Agreement shall remain in effect for a period of two (2) years from the Effective Date.
2. Non-solicitation. For a period of six months neither party shall hire employees of the other.
3. Governing Law. This Agreement shall be governed by and construed in accordance with the laws
of the State of New York, without regard to its conflict of laws principles."""
    got = values(extract([text], template_fields("contract")))
    assert got["contract_title"] == "MUTUAL NON-DISCLOSURE AGREEMENT"
    assert got["parties"] == ["Northwind Traders, Inc.", "Contoso Ltd."]
    assert got["effective_date"] == dt.date(2021, 3, 3)
    assert got["jurisdiction"] == "New York"
    assert got["term"] == "2 years"
    assert got["termination_notice"] is None


def test_receipt() -> None:
    # GIVEN a German till receipt
    number = str(rng.randint(1000, 9999))
    text = f"""SUPERMARKT FRISCH
Marktplatz 3, 50667 Köln
Bon-Nr. {number}
Datum: 12.02.2024 14:32
Milch 1,29
Brot 2,49
SUMME EUR 3,78
Bar 5,00
Rückgeld 1,22
MwSt 7% 0,25
USt-IdNr DE811234567"""
    got = values(extract([text], template_fields("receipt")))
    assert got["merchant_name"] == "SUPERMARKT FRISCH"
    assert got["receipt_number"] == number
    assert got["date"] == dt.date(2024, 2, 12)
    assert got["merchant_vat_id"] == "DE811234567"
    assert got["payment_method"] == "Bar"
    assert got["currency"] == "EUR"
    assert got["tax_amount"] == Decimal("0.25")
    assert got["total_amount"] == Decimal("3.78")


def test_request_for_proposal() -> None:
    text = """City of Springfield
Request for Proposal: Street Lighting Upgrade
RFP No. SPR-2024-017
Questions due: April 2, 2024
Proposal deadline: April 30, 2024
Contact: Ann Lee, procurement@springfield.gov, +1 555 0100 200
Estimated budget: $1,250,000"""
    got = values(extract([text], template_fields("rfp")))
    assert got["reference_number"] == "SPR-2024-017"
    assert got["questions_deadline"] == dt.date(2024, 4, 2)
    assert got["submission_deadline"] == dt.date(2024, 4, 30)
    assert got["contact_email"] == "procurement@springfield.gov"
    assert got["budget"] == Decimal("1250000.0")
    assert got["currency"] == "USD"
