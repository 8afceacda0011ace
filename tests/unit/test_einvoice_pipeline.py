"""Standalone XML e-invoices in the cloud pipeline: accepted at intake, one page, one credit, one row."""

from __future__ import annotations

import io
import uuid

import openpyxl

from tests.einvoices import Invoice, facturx_pdf, ubl_xml
from tests.pipeline_support import FIELDS, memory_world, pump
from zapdoc.domain import job_model
from zapdoc.services import jobs
from zapdoc.services.intake import IntakeOutcome, handle_upload


def test_an_xml_e_invoice_upload_is_one_page_and_one_row() -> None:
    # GIVEN a job with a standalone XRechnung (UBL) file and a Factur-X PDF
    world = memory_world()
    files = {
        "rechnung.xml": ubl_xml(Invoice(number="X-77")),
        "facturx.pdf": facturx_pdf(Invoice(number="F-12")),
    }
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=10)
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS
    )
    job = jobs.get_job(world.rt, created.job_id)
    assert job is not None
    # WHEN both files arrive and the pipeline runs
    outcomes = []
    for record in job.data["files"].values():
        world.blobs.write("uploads", record["object"], files[record["name"]], "application/octet-stream")
        outcomes.append(handle_upload(world.rt, bucket="uploads", name=record["object"], generation="1"))
    assert pump(world) == 0
    # THEN the XML was sniffed as a document, counted as one page and charged one credit
    assert outcomes[-1] is IntakeOutcome.STARTED
    assert jobs.ledger(world.rt).balance(user) == 10 - 2
    # AND its row holds the invoice number, read from the XML's rendering by the provider
    data, _ = world.blobs.objects[("results", job_model.results_object_name(created.job_id))]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Results"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[header.index("File")]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["rechnung.xml"]["Status"] == "ok"
    assert rows["rechnung.xml"]["Pages"] == 1
    assert rows["rechnung.xml"]["Invoice number"] == "X-77"
    assert rows["facturx.pdf"]["Status"] == "ok"
