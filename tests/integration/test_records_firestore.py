"""Typed records through the Firestore adapter on the emulator: written, read back, the same record."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.unit.test_records import full_document, full_job
from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.domain import job_model
from zapdoc.domain.records import DocumentRecord, JobFields, JobRecord
from zapdoc.ports.store import Create, Query, Update, Where

pytestmark = pytest.mark.emulators


def test_a_job_and_a_document_written_to_firestore_read_back_as_the_same_records(
    firestore_client: Any,
) -> None:
    # GIVEN a job and a document with every field set (datetimes, maps, lists, None)
    store = FirestoreStore(firestore_client)
    job_id = f"rec-{uuid.uuid4().hex[:10]}"
    job, doc = full_job(), full_document()
    # WHEN they are created through the adapter and read back
    store.commit(
        [
            Create(job_model.job_path(job_id), job.to_doc()),
            Create(job_model.document_path(job_id, "d1"), doc.to_doc()),
        ]
    )
    got_job, got_doc = store.get(job_model.job_path(job_id)), store.get(job_model.document_path(job_id, "d1"))
    # THEN each reads as the record written, under the same keys
    assert got_job is not None and got_doc is not None
    assert JobRecord.from_doc(got_job.data) == job
    assert DocumentRecord.from_doc(got_doc.data) == doc
    assert set(got_job.data) == set(job.to_doc()) and set(got_doc.data) == set(doc.to_doc())
    # AND a partial update through the field paths lands where the record reads it
    mailed = job.created_at
    store.commit(
        [
            Update(
                job_model.job_path(job_id),
                {JobFields.ASSEMBLY_MAILED_AT: mailed, JobFields.STATUS: "running"},
            )
        ]
    )
    again = store.get(job_model.job_path(job_id))
    assert again is not None
    updated = JobRecord.from_doc(again.data)
    assert updated.assembly.mailed_at == mailed and updated.status is job_model.JobStatus.RUNNING
    assert updated.assembly.workbook == job.assembly.workbook  # the rest of the map kept
    # AND the stored status is the string the queries (and the Firestore indexes) compare with
    found = store.query(
        Query("jobs", (Where(JobFields.STATUS, "==", "running"), Where(JobFields.USER_ID, "==", "u1")))
    )
    assert job_id in {s.id for s in found}
