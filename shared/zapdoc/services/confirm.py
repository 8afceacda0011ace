"""Held jobs: the user sees the cost before the charge (the web app creates its jobs with ``hold``).

Intake counts the pages of a held job and parks it in ``awaiting_confirmation`` with its ``quote``
(credits = pages of processable documents) and no debit. ``confirm`` records the credits the user
accepted on the job (so a crash half-way is finished by the next intake redelivery or sweep), then lets
intake debit and publish as for any job; a job whose quote differs from what the user accepted is never
charged. When the balance is short the job stays held and nothing is charged: the user can buy credits
and confirm again. ``cancel`` ends an unpaid job (no charge, uploads deleted); a confirmed job cannot be
cancelled, so a debit never races a cancellation.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging

from zapdoc.domain import job_model
from zapdoc.domain.records import JobFields, JobRecord
from zapdoc.logging import event
from zapdoc.ports.store import Snapshot
from zapdoc.services import jobs
from zapdoc.services.cas import Commit, Stop, compare_and_set
from zapdoc.services.intake import IntakeOutcome, settle
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.confirm")

# A held job nobody confirms is cancelled by sweep after this long (its uploads deleted, nothing charged).
HOLD_TTL = dt.timedelta(hours=6)


class ConfirmOutcome(enum.StrEnum):
    STARTED = "started"  # debited (once) and running
    SHORT = "short"  # the balance does not cover the quote: still held, nothing charged
    COST_CHANGED = "cost_changed"  # the credits the user accepted are not the job's quote
    NOT_HELD = "not_held"  # the job is not waiting for a confirmation (still uploading, finished...)


def confirm(rt: Runtime, job_id: str, credits: int) -> ConfirmOutcome:
    """Charge ``credits`` for the held job ``job_id`` if they are its quote, and start it."""

    def step(snap: Snapshot | None) -> Commit[ConfirmOutcome | None] | Stop[ConfirmOutcome | None]:
        if snap is None:
            return Stop(ConfirmOutcome.NOT_HELD)
        job = JobRecord.from_doc(snap.data)
        if job.status is not job_model.JobStatus.AWAITING_CONFIRMATION:
            already = job.hold and job.confirmed_credits == credits
            return Stop(ConfirmOutcome.STARTED if already else ConfirmOutcome.NOT_HELD)
        if (job.quote or 0) != credits:
            return Stop(ConfirmOutcome.COST_CHANGED)
        return Commit(
            {JobFields.CONFIRMED_CREDITS: credits, JobFields.UPDATED_AT: rt.clock()}, None
        )  # None: settle now

    path = job_model.job_path(job_id)
    early = compare_and_set(rt.store, path, step, exhausted=lambda: ConfirmOutcome.NOT_HELD)
    if early is not None:
        return early
    outcome = settle(rt, job_id)
    if outcome is IntakeOutcome.SHORT:
        _unconfirm(rt, job_id)
        return ConfirmOutcome.SHORT
    event(log, "held job confirmed", job_id=job_id, credits=credits, outcome=outcome.value)
    return ConfirmOutcome.STARTED


def _unconfirm(rt: Runtime, job_id: str) -> None:
    def step(snap: Snapshot | None) -> Commit[None] | Stop[None]:
        if snap is None or snap.data.get(JobFields.STATUS) != job_model.JobStatus.AWAITING_CONFIRMATION.value:
            return Stop(None)
        return Commit({JobFields.CONFIRMED_CREDITS: None}, None)

    compare_and_set(rt.store, job_model.job_path(job_id), step, exhausted=lambda: None)


def cancel(rt: Runtime, job_id: str, reason: str = "cancelled before any charge") -> bool:
    """Cancel an unpaid, unconfirmed job: nothing charged, uploads deleted, its text purged like every
    ended job's, its open-job slot freed. False if it is too late (confirmed or no longer unpaid)."""
    from zapdoc.services.job_end import PENDING, job_ended

    if not jobs.transition(
        rt,
        job_id,
        job_model.JobStatus.CANCELLED,  # from awaiting files or awaiting confirmation (job_model.TRANSITIONS)
        {JobFields.REASON: reason, **jobs.retention_fields(rt), **PENDING},
        guard=lambda job: job.get(JobFields.CONFIRMED_CREDITS) is None,
    ):
        return False
    jobs.delete_uploads(rt, job_id)
    jobs.purge_if_due(rt, job_id)  # files that did arrive had their text stored
    event(log, "job cancelled", job_id=job_id, reason=reason)
    job_ended(rt, job_id)
    return True


def sweep_held(rt: Runtime, job_id: str, now: dt.datetime) -> str:
    """Sweep's pass over one held job: finish a confirmation that crashed half-way, or cancel the job
    once nobody confirmed it for ``HOLD_TTL``. Returns what it did ("" for nothing)."""
    snap = jobs.get_job(rt, job_id)
    if snap is None:
        return ""
    job = JobRecord.from_doc(snap.data)
    if job.confirmed_credits is not None:
        return "started" if settle(rt, job_id) is IntakeOutcome.STARTED else ""
    held = job.held_at
    if held is not None and held + HOLD_TTL < now:
        return (
            "cancelled"
            if cancel(rt, job_id, "nobody confirmed the cost in time; nothing was charged")
            else ""
        )
    return ""
