"""Scans (no text layer) go to Gemini as PDF parts, split into page ranges when over the limits."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from zapdoc.bootstrap import gemini_extractor
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.fields import parse_fields
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.llm.validate import CONF_UNVERIFIABLE
from zapdoc.settings import LlmSettings
from zapdoc.standins._base import PDF_PAGE_TOKENS, ParsedRequest, decode_b64
from zapdoc.standins.gemini import GeminiStandIn

FIELDS = parse_fields("vendor_name, pages_seen:table[page:number]")


def scanned_pdf(pages: int) -> bytes:
    """A PDF of drawings only, like a scan without OCR: no text layer at all."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    for n in range(1, pages + 1):
        for i in range(n):
            c.rect(50 + 12 * i, 700, 10, 10, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def vision_model(req: ParsedRequest) -> dict[str, object]:
    """Answers one row per attached page (numbered as the prompt says) and the vendor on page 1."""
    doc = req.document
    assert doc is not None
    pages = sorted(doc.pages)
    vendor = "Scanned Vendor GmbH" if 1 in pages else None
    evidence = [{"field": "vendor_name", "page": 1, "quote": "Scanned Vendor GmbH"}] if vendor else []
    return {
        "values": {"vendor_name": vendor, "pages_seen": [{"page": p} for p in pages]},
        "evidence": evidence,
    }


@pytest.fixture
def stand_in() -> Iterator[GeminiStandIn]:
    server = GeminiStandIn(responder=vision_model)
    server.start()
    yield server
    server.stop()


def test_scan_is_sent_as_pdf_parts_per_page_range(stand_in: GeminiStandIn) -> None:
    # GIVEN a 5-page scan and at most 2 pages per request
    doc: DocumentText = inspect_pdf(Source(name="scan.pdf", data=scanned_pdf(5)))
    assert not doc.has_text_layer
    settings = LlmSettings(
        gcp_project="demo", gemini_base_url=stand_in.base_url, chunk_pages=2, backoff_s=0.01
    )
    # WHEN extracted
    result = gemini_extractor(settings).extract(doc, FIELDS)
    # THEN three requests each carried a PDF part of 2, 2 and 1 pages, inside the delimiters
    counts = []
    for rec in stand_in.received():
        parts = rec.body["contents"][0]["parts"]
        assert "<<<DOCUMENT" in parts[0]["text"]
        inline = parts[1]["inlineData"]
        assert (inline.get("mimeType") or inline.get("mime_type")) == "application/pdf"
        assert "<<<END DOCUMENT" in parts[2]["text"]
        pdf = decode_b64(inline["data"])
        counts.append(len(pypdf.PdfReader(io.BytesIO(pdf)).pages))
    assert counts == [2, 2, 1]
    # AND rows come back in page order; quotes cannot be checked without text, so confidence says so
    assert result.values["pages_seen"].value == [{"page": p} for p in range(1, 6)]
    assert result.values["vendor_name"].value == "Scanned Vendor GmbH"
    assert result.values["vendor_name"].confidence == CONF_UNVERIFIABLE
    # AND the stand-in billed native PDF pages
    assert result.usage is not None
    assert result.usage.prompt_tokens >= 5 * PDF_PAGE_TOKENS


def test_byte_limit_also_splits(stand_in: GeminiStandIn) -> None:
    data = scanned_pdf(4)
    doc = inspect_pdf(Source(name="scan.pdf", data=data))
    settings = LlmSettings(
        gcp_project="demo",
        gemini_base_url=stand_in.base_url,
        chunk_pages=50,
        max_pdf_bytes=len(data) // 2 + 4,  # two pages of the average size
        backoff_s=0.01,
    )
    result = gemini_extractor(settings).extract(doc, FIELDS)
    assert len(stand_in.received()) == 2
    assert result.values["pages_seen"].value == [{"page": p} for p in range(1, 5)]
