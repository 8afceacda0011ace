"""Issue 9: the cost of one credit is bounded: text per page is capped (with a note in the row) and a
document's prompt tokens are bounded by a setting (over it: an error row, refunded)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence

import openpyxl

from tests.pdfs import make_pdf
from tests.pipeline_support import FIELDS, MemoryWorld, ScriptedExtractor, memory_world, pump
from zapdoc.domain import job_model
from zapdoc.domain.documents import DocumentText, Extraction
from zapdoc.domain.fields import FieldSpec
from zapdoc.services import jobs
from zapdoc.services.intake import IntakeOutcome, handle_upload


class Recording(ScriptedExtractor):
    def __init__(self) -> None:
        super().__init__()
        self.chars: list[int] = []

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        self.chars.append(max(len(p) for p in doc.pages))
        return super().extract(doc, fields)


def _run(world: MemoryWorld, pdf: bytes, credits: int = 10) -> tuple[str, str]:
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    created = jobs.create_job(
        world.rt, user_id=user, email="c@example.com", filenames=["x.pdf"], fields=FIELDS
    )
    obj = created.files[0].object_name
    world.blobs.write("uploads", obj, pdf, "application/pdf")
    assert handle_upload(world.rt, bucket="uploads", name=obj, generation="1") is IntakeOutcome.STARTED
    pump(world)
    return user, created.job_id


def _row(world: MemoryWorld, job_id: str) -> dict[str, object]:
    data, _ = world.blobs.objects[("results", job_model.results_object_name(job_id))]
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["Results"].iter_rows(values_only=True))
    return dict(zip([str(h) for h in rows[0]], rows[1], strict=True))


def dense_page(chars: int) -> str:
    line = ("Lorem ipsum dolor sit amet " * 200)[:2000]
    return "Invoice number: DENSE-1\n" + "\n".join([line] * (chars // 2000))


def test_text_per_page_is_capped_and_the_row_says_so() -> None:
    # GIVEN a one-page PDF carrying ~100,000 characters of text and a cap of 12,000 per page
    world = memory_world(max_page_chars=12_000)
    recording = Recording()
    world.rt.extractor_factory = lambda: recording
    pdf = make_pdf([dense_page(100_000)], size=1)
    # WHEN it is processed
    user, job_id = _run(world, pdf)
    # THEN the provider saw at most 12,000 characters, the stored text is capped, the row has a note
    assert recording.chars and max(recording.chars) <= 12_000
    row = _row(world, job_id)
    assert row["Status"] == "ok"
    assert "text cut to 12,000 characters per page" in str(row["Notes"])
    assert jobs.ledger(world.rt).balance(user) == 9  # one page, one credit


def test_a_document_over_the_token_budget_is_an_error_row_and_refunded() -> None:
    # GIVEN a 3-page document of ~9,000 characters a page and a budget of 5,000 tokens per document
    world = memory_world(max_document_tokens=5_000)
    pdf = make_pdf([dense_page(9_000) for _ in range(3)], size=1)
    # WHEN it is processed
    user, job_id = _run(world, pdf)
    # THEN it is never sent to the provider, fails with the reason and its 3 pages are refunded
    assert world.extractor.calls == []
    row = _row(world, job_id)
    assert row["Status"] == "error"
    assert "tokens, over the limit of 5,000 per document" in str(row["Notes"])
    ledger = jobs.ledger(world.rt)
    assert ledger.balance(user) == 10 == sum(e["delta"] for e in ledger.entries(user))
