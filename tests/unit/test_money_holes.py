"""Issue 9 regressions on in-memory adapters: colliding zip names, purging on every terminal state,
debit vs cancel, file names that cannot be objects, and limits that hold under concurrency."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openpyxl
import pytest

from tests.badinputs import short_tree_pdf
from tests.pipeline_support import FIELDS, MemoryWorld, invoice_pdf, memory_world, pump, user_with_credits
from zapdoc.domain import ids as ledger_mod
from zapdoc.domain import job_model
from zapdoc.domain.documents import Source
from zapdoc.domain.errors import PermanentError, UsageError
from zapdoc.inputs import archive
from zapdoc.ports.store import Create, Update
from zapdoc.services import jobs, sources
from zapdoc.services.api_keys import ApiKeys
from zapdoc.services.intake import IntakeOutcome, handle_upload
from zapdoc.services.ledger import entry_path, user_path
from zapdoc.services.sweep import sweep
from zapdoc.services.templates_store import MAX_TEMPLATES, SavedTemplates


def raw_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip with entries in this order, duplicates allowed (as any zip tool can produce)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names; that is the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries:
                zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def _job(world: MemoryWorld, user: str, files: dict[str, bytes]) -> str:
    created = jobs.create_job(
        world.rt, user_id=user, email=f"{user}@example.com", filenames=list(files), fields=FIELDS
    )
    for f in created.files:
        world.blobs.write("uploads", f.object_name, files[f.filename], "application/octet-stream")
    return created.job_id


def _arrive(world: MemoryWorld, job_id: str) -> list[IntakeOutcome]:
    snap = jobs.get_job(world.rt, job_id)
    assert snap is not None
    return [
        handle_upload(world.rt, bucket="uploads", name=f["object"], generation="1")
        for _, f in sorted(snap.data["files"].items())  # in declared order (a store's map order is not)
    ]


def _workbook_rows(world: MemoryWorld, job_id: str) -> list[dict[str, Any]]:
    data, _ = world.blobs.objects[("results", job_model.results_object_name(job_id))]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Results"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _money_adds_up(world: MemoryWorld, user: str) -> int:
    ledger = jobs.ledger(world.rt)
    balance = ledger.balance(user)
    assert sum(e["delta"] for e in ledger.entries(user)) == balance
    return balance


# ----------------------------------------------------------------- 1. colliding names in a zip


@pytest.mark.parametrize(
    ("first", "second"),
    [("./a.pdf", "a.pdf"), ("d//a.pdf", "d/a.pdf"), ("a.pdf", "a.pdf"), ("x/./a.pdf", "x/a.pdf")],
)
def test_entries_whose_names_collapse_keep_distinct_names(first: str, second: str) -> None:
    # GIVEN a zip whose two entries have names that are equal once cleaned
    big, small = invoice_pdf("BIG", "1", pages=5), invoice_pdf("SMALL", "2")
    data = raw_zip([(first, big), (second, small)])
    # WHEN it is expanded
    items = list(archive.expand("up.zip", data))
    # THEN both are documents, with distinct display names and their own bytes
    assert all(isinstance(i, Source) for i in items)
    names = [i.name for i in items]
    assert len(set(names)) == 2, names
    assert names[1].endswith(" (2).pdf")
    assert sorted(i.data for i in items if isinstance(i, Source)) == sorted([big, small])


def test_document_ids_differ_for_same_name_and_are_stable() -> None:
    digest = job_model.content_digest(b"x")
    assert job_model.document_id("f000", 0, digest) != job_model.document_id("f000", 1, digest)
    assert job_model.document_id("f000", 3, digest) == job_model.document_id("f000", 3, digest)
    assert job_model.document_id("f000", 0, digest) != job_model.document_id(
        "f000", 0, job_model.content_digest(b"y")
    )


def test_colliding_zip_entries_are_each_charged_and_extracted_once() -> None:
    # GIVEN a zip holding ./a.pdf (6 pages), a.pdf (1 page) and the same name twice (2 + 3 pages)
    world = memory_world()
    user = user_with_credits(world, 50)
    entries = [
        ("./a.pdf", invoice_pdf("A6", "6", pages=6)),
        ("a.pdf", invoice_pdf("A1", "1")),
        ("b.pdf", invoice_pdf("B2", "2", pages=2)),
        ("b.pdf", invoice_pdf("B3", "3", pages=3)),
    ]
    job_id = _job(world, user, {"up.zip": raw_zip(entries)})
    # WHEN it runs through the whole pipeline
    assert _arrive(world, job_id) == [IntakeOutcome.STARTED]
    pump(world, duplicate=True)
    # THEN every page extracted was charged: 12 = charged = sum of Pages in the workbook
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered"
    rows = _workbook_rows(world, job_id)
    assert len(rows) == 4
    assert len({r["File"] for r in rows}) == 4
    assert sum(int(r["Pages"]) for r in rows) == 12 == job.data["charged"]
    assert sorted(str(r["Invoice number"]) for r in rows) == ["A1", "A6", "B2", "B3"]
    assert _money_adds_up(world, user) == 50 - 12
    assert re.search(r"Credits charged: +12$", world.mailer.sent[0].text, re.M)


def test_extraction_reads_the_counted_bytes_or_fails_and_refunds() -> None:
    # GIVEN a document whose stored text is gone, whose upload was replaced after it was counted
    world = memory_world()
    user = user_with_credits(world, 20)
    pdf = invoice_pdf("ORIG", "1", pages=2)
    job_id = _job(world, user, {"x.pdf": pdf})
    _arrive(world, job_id)
    [doc] = jobs.list_documents(world.rt, job_id)
    world.store.commit([Update(doc.path, {"text": None})])
    obj = doc.data["object"]
    world.blobs.write("uploads", obj, invoice_pdf("SWAPPED", "9", pages=9), "application/pdf")
    # WHEN it is extracted
    with pytest.raises(PermanentError, match="changed after its pages were counted"):
        sources.load_source(world.rt, jobs.list_documents(world.rt, job_id)[0].data)
    pump(world)
    # THEN nothing of the swapped file is read: the document failed and its 2 pages were refunded
    [doc] = jobs.list_documents(world.rt, job_id)
    assert doc.data["status"] == "failed"
    assert "SWAPPED" not in world.extractor.calls
    assert _money_adds_up(world, user) == 20


def test_declared_files_with_the_same_name_get_distinct_names() -> None:
    world = memory_world()
    user = user_with_credits(world, 10)
    created = jobs.create_job(
        world.rt, user_id=user, email="a@example.com", filenames=["a.pdf", "a.pdf", "x/a.pdf"], fields=FIELDS
    )
    assert [f.filename for f in created.files] == ["a.pdf", "a (2).pdf", "a (3).pdf"]


# ---------------------------------------------------------- 2. every terminal state purges text


def _texts(world: MemoryWorld, job_id: str) -> list[object]:
    return [d.data.get("text") for d in jobs.list_documents(world.rt, job_id)]


def _two_file_job_rejected_on_the_second(world: MemoryWorld) -> str:
    """A user with 2 credits; a.pdf (1 page, its text stored on arrival) then b.pdf (3 pages): the job
    is rejected when b.pdf is counted, after a.pdf's text was stored."""
    user = user_with_credits(world, 2)
    files = {
        "a.pdf": invoice_pdf("A", "1", extra="words " * 20),
        "b.pdf": invoice_pdf("R", "1", pages=3, extra="words " * 20),
    }
    job_id = _job(world, user, files)
    assert _arrive(world, job_id) == [IntakeOutcome.WAITING, IntakeOutcome.REJECTED]
    return job_id


def test_rejected_job_keeps_no_document_text() -> None:
    # GIVEN a job whose first file's text was stored WHEN it is rejected for lack of credits
    world = memory_world()
    job_id = _two_file_job_rejected_on_the_second(world)
    # THEN no text or values remain on its documents
    assert _texts(world, job_id) == [None]
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["purged"] is True and job.data["status"] == "rejected"


def test_rejected_at_settle_keeps_no_document_text() -> None:
    # GIVEN a job whose file was counted while the balance covered it, and credits spent before it settles
    world = memory_world()
    user = user_with_credits(world, 3)
    job_id = _job(world, user, {"x.pdf": invoice_pdf("R", "1", pages=3, extra="words " * 20)})
    store = world.rt.store
    real_commit = store.commit
    spent: list[bool] = []

    def commit(writes: Any) -> None:
        real_commit(writes)
        if not spent and any(isinstance(w, Update) and "files.f000.arrived" in w.fields for w in writes):
            spent.append(True)
            jobs.ledger(world.rt).apply(user, "debit:elsewhere", -3)

    store.commit = commit  # type: ignore[method-assign]
    # WHEN it settles THEN it is rejected and its stored text is purged
    assert _arrive(world, job_id) == [IntakeOutcome.REJECTED]
    assert spent and _texts(world, job_id) == [None]


def test_cancelled_job_keeps_no_document_text() -> None:
    # GIVEN a 2-file job where only one file arrived
    world = memory_world()
    user = user_with_credits(world, 10)
    files = {"a.pdf": invoice_pdf("A", "1"), "b.pdf": invoice_pdf("B", "1")}
    created = jobs.create_job(
        world.rt, user_id=user, email="a@example.com", filenames=list(files), fields=FIELDS
    )
    first = created.files[0]
    world.blobs.write("uploads", first.object_name, files["a.pdf"], "application/pdf")
    handle_upload(world.rt, bucket="uploads", name=first.object_name, generation="1")
    assert _texts(world, created.job_id) != [None]
    # WHEN the sweep cancels it after the deadline
    world.clock.advance(hours=2)
    assert sweep(world.rt).cancelled == [created.job_id]
    # THEN the arrived file's text is gone
    assert _texts(world, created.job_id) == [None]


def test_retention_applies_to_rejected_and_cancelled_jobs_too() -> None:
    # GIVEN a retention of one hour
    world = memory_world(retention=__import__("datetime").timedelta(hours=1))
    job_id = _two_file_job_rejected_on_the_second(world)
    assert _texts(world, job_id) != [None]  # kept during the retention
    # WHEN the sweep runs before and after it passes
    assert job_id not in sweep(world.rt).purged
    world.clock.advance(hours=1, seconds=1)
    # THEN the text is purged once it has
    assert job_id in sweep(world.rt).purged
    assert _texts(world, job_id) == [None]


# ------------------------------------------------------------------- 3. a debit never survives a cancel


def test_cancel_between_read_and_debit_leaves_no_debit() -> None:
    # GIVEN a job past its deadline whose last file is arriving, and a sweep that cancels it just
    # before intake's debit commits
    world = memory_world()
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"x.pdf": invoice_pdf("C", "1", pages=3)})
    world.clock.advance(hours=2)
    store = world.rt.store
    real_commit = store.commit
    fired: list[bool] = []

    def commit(writes: Any) -> None:
        debit = entry_path(user, job_model.debit_key(job_id))
        if not fired and any(isinstance(w, Create) and w.path == debit for w in writes):
            fired.append(True)
            assert sweep(world.rt).cancelled == [job_id]
        real_commit(writes)

    store.commit = commit  # type: ignore[method-assign]
    # WHEN intake settles the job
    outcome = _arrive(world, job_id)
    # THEN the cancel won: no debit, the balance is whole and the mail says nothing was charged
    assert fired
    assert outcome == [IntakeOutcome.IGNORED]
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "cancelled"
    assert not jobs.ledger(world.rt).has_entry(user, job_model.debit_key(job_id))
    assert _money_adds_up(world, user) == 10
    [mail] = world.mailer.sent
    assert "Nothing was charged" in mail.text
    assert not world.bus.on(world.rt.settings.documents_topic)


def test_a_debited_job_is_never_cancelled() -> None:
    # GIVEN a job that intake debited and started
    world = memory_world()
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"x.pdf": invoice_pdf("C", "1", pages=3)})
    assert _arrive(world, job_id) == [IntakeOutcome.STARTED]
    # WHEN the sweep runs past the file deadline
    world.clock.advance(hours=2)
    # THEN it does not cancel the running job
    assert sweep(world.rt).cancelled == []
    assert _money_adds_up(world, user) == 7


def test_cancel_after_a_recorded_debit_refunds_it_once_and_says_so() -> None:
    # GIVEN a job still awaiting files that carries a debit (written by an older, non-atomic intake)
    world = memory_world()
    user = user_with_credits(world, 10)
    job_id = _job(world, user, {"x.pdf": invoice_pdf("C", "1", pages=3)})
    jobs.ledger(world.rt).apply(user, job_model.debit_key(job_id), -3, meta={"job_id": job_id})
    # WHEN the sweep cancels it, twice
    world.clock.advance(hours=2)
    assert sweep(world.rt).cancelled == [job_id]
    sweep(world.rt)
    # THEN the debit is refunded exactly once and the mail says so
    refunds = [e for e in jobs.ledger(world.rt).entries(user) if e["key"].startswith("refund:")]
    assert [e["delta"] for e in refunds] == [3]
    assert _money_adds_up(world, user) == 10
    [mail] = world.mailer.sent
    assert "3 credits it was charged were refunded" in mail.text
    assert "Nothing was charged" not in mail.text


# --------------------------------------------------------------- 4. names that cannot be objects


@pytest.mark.parametrize("name", [".", "..", "x/..", "x/.", "d/", "a\\..", " .. ", "\x00..", "/"])
def test_file_names_without_a_usable_segment_are_refused(name: str) -> None:
    world = memory_world()
    user = user_with_credits(world, 10)
    with pytest.raises(UsageError, match="file name"):
        jobs.create_job(world.rt, user_id=user, email="a@example.com", filenames=[name], fields=FIELDS)
    assert world.rt.store.query(__import__("zapdoc.ports.store", fromlist=["Query"]).Query("jobs")) == []


@pytest.mark.parametrize("name", ["a.pdf", "dir/a.pdf", "..a.pdf", "a..pdf", "my file (1).zip", "é.pdf"])
def test_accepted_names_round_trip_through_the_object_path(name: str) -> None:
    stored = job_model.check_filename(name)
    obj = job_model.upload_object_name("job1", "f000", stored)
    assert job_model.parse_upload_name(obj).filename == stored == job_model.safe_filename(name)


# ------------------------------------------------------------ 5. limits hold under concurrency


def test_api_key_limit_holds_under_concurrent_creates() -> None:
    # GIVEN a limit of 20 keys WHEN 40 creates race
    world = memory_world()
    keys = ApiKeys(world.rt.store, world.rt.clock, max_keys=20)

    def create(i: int) -> bool:
        try:
            keys.create("racer", f"k{i}")
        except UsageError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        made = sum(pool.map(create, range(40)))
    # THEN exactly 20 exist; revoking one frees a slot for exactly one more
    assert made == 20
    active = keys.list("racer", include_revoked=False)
    assert len(active) == 20
    assert keys.revoke("racer", str(active[0]["id"]))
    keys.create("racer", "again")
    with pytest.raises(UsageError, match="at most 20"):
        keys.create("racer", "one too many")


def test_template_limit_holds_under_concurrent_creates() -> None:
    world = memory_world()
    saved = SavedTemplates(world.rt.store, world.rt.clock)
    fields = [{"name": "total", "type": "amount"}]

    def create(i: int) -> bool:
        try:
            saved.create("racer", f"t{i}", fields)
        except UsageError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        made = sum(pool.map(create, range(MAX_TEMPLATES + 30)))
    assert made == MAX_TEMPLATES
    listed = saved.list("racer")
    assert len(listed) == MAX_TEMPLATES
    assert saved.delete("racer", str(listed[0]["id"]))
    saved.create("racer", "again", fields)
    with pytest.raises(UsageError, match="at most"):
        saved.create("racer", "one too many", fields)


# -------------------------------------------------------------------------- ids where they enter


@pytest.mark.parametrize("uid", ["a/b", "..", ".", "", "x" * 200, "__x__", "a b"])
def test_user_ids_that_would_escape_their_path_are_refused(uid: str) -> None:
    with pytest.raises(PermanentError):
        ledger_mod.check_user_id(uid)
    with pytest.raises(PermanentError):
        user_path(uid)


def test_real_user_ids_are_accepted() -> None:
    for uid in ("Xy3kq9ZtP0bW1cR2dE5fG6hI7jK8", "local-0123456789abcdef", "u-1a2b3c4d", "buyer"):
        assert ledger_mod.check_user_id(uid) == uid


# ---------------------------------------------------- weakness: pypdf and pdfium count differently


def _short_tree_invoice(pages: int = 5) -> bytes:
    """An invoice of ``pages`` pages whose page tree says /Count 1: pypdf counts 5, pdfium opens 1."""
    return short_tree_pdf(invoice_pdf("SHORT", "5", pages=pages))[1]


def test_a_pdf_whose_pages_cannot_all_be_opened_is_an_error_row_and_not_charged() -> None:
    # GIVEN a 5-page PDF of which the text reader can open only page 1 (and a good one beside it)
    world = memory_world()
    user = user_with_credits(world, 20)
    job_id = _job(world, user, {"short.pdf": _short_tree_invoice(), "good.pdf": invoice_pdf("G", "1")})
    # WHEN it runs through the whole pipeline, with redeliveries
    assert _arrive(world, job_id) == [IntakeOutcome.WAITING, IntakeOutcome.STARTED]
    pump(world, duplicate=True)
    # THEN the damaged PDF is an error row naming the pages, its 5 pages are not paid for, and the
    # pages charged equal the pages read and the Pages of the workbook
    job = jobs.get_job(world.rt, job_id)
    assert job is not None and job.data["status"] == "delivered"
    rows = {str(r["File"]): r for r in _workbook_rows(world, job_id)}
    bad = rows["short.pdf"]
    assert bad["Status"] == "error"
    assert "pages 2, 3, 4, 5 cannot be opened" in str(bad["Notes"])
    assert bad["Invoice number"] in (None, "")
    assert rows["good.pdf"]["Status"] == "ok"
    assert job.data["charged"] == 1 == sum(int(r["Pages"] or 0) for r in rows.values())
    assert "SHORT" not in " ".join(world.extractor.calls)
    assert _money_adds_up(world, user) == 20 - 1


def test_a_charged_document_found_unreadable_at_extraction_is_refunded_once() -> None:
    # GIVEN a charged 5-page document without stored text whose bytes (as counted: same hash) turn out
    # to have pages the reader cannot open (e.g. counted before intake read the text)
    world = memory_world()
    user = user_with_credits(world, 20)
    job_id = _job(world, user, {"x.pdf": invoice_pdf("X", "5", pages=5)})
    assert _arrive(world, job_id) == [IntakeOutcome.STARTED]
    assert _money_adds_up(world, user) == 15
    [doc] = jobs.list_documents(world.rt, job_id)
    damaged = _short_tree_invoice()
    world.blobs.write("uploads", doc.data["object"], damaged, "application/pdf")
    world.store.commit([Update(doc.path, {"text": None, "sha256": job_model.content_digest(damaged)})])
    # WHEN it is extracted, with redeliveries
    pump(world, duplicate=True)
    # THEN it failed with the reason, its 5 pages were refunded exactly once
    [doc] = jobs.list_documents(world.rt, job_id)
    assert doc.data["status"] == "failed"
    assert "cannot be opened" in str(doc.data["reason"])
    refunds = [e for e in jobs.ledger(world.rt).entries(user) if e["delta"] > 0 and e["delta"] == 5]
    assert len(refunds) == 1
    assert _money_adds_up(world, user) == 20
    [row] = _workbook_rows(world, job_id)
    assert row["Status"] == "error" and "pages refunded" in str(row["Notes"])
