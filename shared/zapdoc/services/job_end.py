"""What happens once when a job reaches an end state (delivered, rejected, cancelled), after the mail:
the analytics records are completed (and streamed to BigQuery in production) and the webhook event is
queued. Each terminal transition writes ``end_done: False`` in the same commit as the state, so a crash
before this runs leaves a marker the next redelivery or the sweep picks up; it then sets ``end_done``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from zapdoc.domain.records import JobFields, JobRecord
from zapdoc.logging import event
from zapdoc.ports.store import Query, Snapshot, Update, Where
from zapdoc.services import analytics, jobs, webhooks
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.job_end")

PENDING = {JobFields.END_DONE: False}
"""Fields to add to a terminal transition: the end-of-job effects are still to run."""


def job_ended(rt: Runtime, job_id: str, *, docs: Sequence[Snapshot] | None = None) -> bool:
    """Run the end-of-job effects if they have not run; True when they ran now. Idempotent.
    ``docs``: the job's documents as the caller just read them (else listed)."""
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return False
    job = JobRecord.from_doc(snap.data)
    if not job.status.terminal or not job.end_pending:
        return False
    status = job.status
    # analytics and the webhook event read the stored job as it is (passed on unchanged)
    records = analytics.record_job_end(rt, job_id, snap.data, status.value, docs=docs)
    queued = webhooks.queue_job_event(rt, job_id, snap.data, status.value)
    rt.store.commit([Update(snap.path, {JobFields.END_DONE: True})])
    event(log, "job end recorded", state=status.value, analytics_records=records, webhook=queued)
    return True


def pending_job_ends(rt: Runtime) -> list[str]:
    """Ended jobs whose end-of-job effects have not run (the sweep's safety net), at most
    ``sweep_batch``: the marker is cleared right after each job ends, so few carry it at once."""
    query = Query("jobs", (Where(JobFields.END_DONE, "==", False),), limit=rt.settings.sweep_batch)
    return [s.id for s in rt.store.query(query)]
