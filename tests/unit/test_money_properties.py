"""Issue 9, acceptance 2: a property test over random zips of random names, sizes and page counts on the
in-memory stack. For every job: pages charged == pages extracted == sum of Pages in the workbook; for
every user: sum(ledger) == balance, never negative."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pipeline_support import FIELDS, ScriptedExtractor, invoice_pdf, memory_world, pump
from tests.unit.test_money_holes import raw_zip
from zapdoc.domain import job_model
from zapdoc.domain.documents import DocumentText, Extraction
from zapdoc.domain.fields import FieldSpec
from zapdoc.services import jobs
from zapdoc.services.intake import handle_upload

# Names chosen to collide once cleaned (./a.pdf, a.pdf, d//a.pdf, d/a.pdf, the same twice, a (2).pdf
# that the renaming itself would produce), plus random ones and entries that are refused.
COLLIDING = [
    "a.pdf",
    "./a.pdf",
    "a.pdf",
    "d/a.pdf",
    "d//a.pdf",
    "d/./a.pdf",
    "a (2).pdf",
    "A.pdf",
    "x/y/z.pdf",
]
SEGMENT = st.text(alphabet="abcXYZ019 _-.é", min_size=1, max_size=8).filter(lambda s: s.strip(". ") != "")


@st.composite
def entry(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["pdf", "pdf", "pdf", "text", "unsafe", "empty"]))
    if draw(st.booleans()):
        name = draw(st.sampled_from(COLLIDING))
    else:
        name = "/".join(draw(st.lists(SEGMENT, min_size=1, max_size=3))) + ".pdf"
    if kind == "pdf":
        pages = draw(st.integers(min_value=1, max_value=4))
        padding = "x" * draw(st.integers(min_value=0, max_value=3000))  # sizes vary too
        return name, invoice_pdf(uuid.uuid4().hex[:6], "1", pages=pages, extra=padding)
    if kind == "text":
        return name.removesuffix(".pdf") + ".txt", b"just some notes"
    if kind == "unsafe":
        return "../" + name, invoice_pdf("SLIP", "1")
    return name, b""


class CountingExtractor(ScriptedExtractor):
    """Counts the pages it was given: what 'extracted' means."""

    def __init__(self) -> None:
        super().__init__()
        self.pages = 0

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        self.pages += doc.page_count
        return super().extract(doc, fields)


def _pages_in_workbook(world: Any, job_id: str) -> int:
    data, _ = world.blobs.objects[("results", job_model.results_object_name(job_id))]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Results"]
    rows = list(sheet.iter_rows(values_only=True))
    col = list(rows[0]).index("Pages")
    return sum(int(r[col] or 0) for r in rows[1:] if r[rows[0].index("Status")] == "ok")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    uploads=st.lists(
        st.lists(st.lists(entry(), min_size=1, max_size=6), min_size=1, max_size=2), min_size=1, max_size=3
    ),
    credits=st.integers(min_value=0, max_value=30),
)
def test_pages_charged_equal_pages_extracted_equal_workbook_pages(
    uploads: list[list[list[tuple[str, bytes]]]], credits: int
) -> None:
    # GIVEN one user with random credits and 1-3 jobs, each of 1-2 random zips
    world = memory_world()
    counting = CountingExtractor()
    world.rt.extractor_factory = lambda: counting
    user = f"u-{uuid.uuid4().hex[:8]}"
    jobs.ledger(world.rt).ensure_user(user, email=f"{user}@example.com", initial_credits=credits)
    job_ids = []
    for zips in uploads:
        names = [f"z{i}.zip" for i in range(len(zips))]
        created = jobs.create_job(
            world.rt, user_id=user, email="p@example.com", filenames=names, fields=FIELDS
        )
        for declared, entries in zip(created.files, zips, strict=True):
            world.blobs.write("uploads", declared.object_name, raw_zip(entries), "application/zip")
        job_ids.append(created.job_id)
    # WHEN every upload arrives (twice) and the pipeline settles
    for job_id in job_ids:
        snap = jobs.get_job(world.rt, job_id)
        assert snap is not None
        for f in snap.data["files"].values():
            for _ in range(2):
                handle_upload(world.rt, bucket="uploads", name=f["object"], generation="1")
    pump(world, duplicate=True)
    # THEN for every job: charged == extracted == Pages in the workbook; the ledger adds up
    total_charged = 0
    for job_id in job_ids:
        snap = jobs.get_job(world.rt, job_id)
        assert snap is not None
        status = snap.data["status"]
        assert status in ("delivered", "rejected"), status
        charged = int(snap.data.get("charged") or 0) if status == "delivered" else 0
        if status == "delivered":
            assert int(snap.data.get("refunded") or 0) == 0
            assert _pages_in_workbook(world, job_id) == charged
        total_charged += charged
    assert counting.pages == total_charged
    ledger = jobs.ledger(world.rt)
    book = ledger.entries(user)
    assert sum(int(e["delta"]) for e in book) == ledger.balance(user) == credits - total_charged
    assert all(int(e["balance_after"]) >= 0 for e in book)
