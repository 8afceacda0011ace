"""Extract and classify one document (both triggered by a message on topic ``documents``).

Extract: text → provider → validated values with evidence on the document record. A permanent failure
marks the document failed and refunds its pages once; a transient one raises for redelivery until the
document is too old or has failed too often, then it becomes permanent. Classify: the document type on
the record plus an analytics record (never content). Both then publish to ``document-results``.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from typing import Any

from zapdoc.domain import job_model
from zapdoc.domain.documents import DocumentResult
from zapdoc.domain.errors import PermanentError, TransientError
from zapdoc.domain.records import DocFields, DocumentRecord, JobRecord, StatsFields
from zapdoc.logging import bind, event
from zapdoc.ports.store import Snapshot, Update, Write
from zapdoc.services import jobs, sources
from zapdoc.services.cas import Commit, Stop, compare_and_set, give_up
from zapdoc.services.idempotency import Claim, LeaseLost
from zapdoc.services.runtime import Runtime

log = logging.getLogger("zapdoc.extract")


class StepOutcome(enum.StrEnum):
    IGNORED = "ignored"
    DONE = "done"
    FAILED = "failed"
    ALREADY_DONE = "already_done"
    TYPED = "typed_by_extraction"  # classify: the extraction's commit records the type


def _load(rt: Runtime, job_id: str, doc_id: str) -> tuple[dict[str, Any], Snapshot] | None:
    bind(job_id=job_id, document_id=doc_id)
    job = jobs.get_job(rt, job_id)
    status = None if job is None else JobRecord.from_doc(job.data).status
    if job is None or status not in (job_model.JobStatus.RUNNING, job_model.JobStatus.ASSEMBLING):
        event(log, "document of a job that is not running", state=status.value if status else "missing")
        return None
    doc = rt.store.get(job_model.document_path(job_id, doc_id))
    if doc is None:
        event(log, "unknown document", logging.WARNING)
        return None
    return job.data, doc


def _notify(rt: Runtime, job_id: str, doc_id: str, step: str) -> None:
    rt.bus.publish(rt.settings.results_topic, {"job_id": job_id, "document_id": doc_id, "step": step})


def _too_old_or_tried(rt: Runtime, doc: dict[str, Any]) -> bool:
    record = DocumentRecord.from_doc(doc)
    created = record.created_at
    too_old = created is not None and rt.clock() - created > rt.settings.document_max_age
    return too_old or record.attempts + 1 >= rt.settings.delivery_attempts


def extract_document(rt: Runtime, job_id: str, doc_id: str) -> StepOutcome:
    """Extract the values of one document; idempotent under redelivery."""
    loaded = _load(rt, job_id, doc_id)
    if loaded is None:
        return StepOutcome.IGNORED
    job, doc = loaded
    if DocumentRecord.from_doc(doc.data).status is not job_model.DocStatus.PENDING:
        _notify(rt, job_id, doc_id, "extract")
        return StepOutcome.ALREADY_DONE
    idem = jobs.idempotency(rt)
    key = f"extract:{job_id}:{doc_id}"
    lease = rt.settings.lease  # short, renewed while the provider works: see idempotency
    claim = idem.claim(key, lease=lease)
    if claim is Claim.IN_PROGRESS:
        raise TransientError("this document is being extracted by another invocation")
    if claim is Claim.COMPLETED:
        _notify(rt, job_id, doc_id, "extract")
        return StepOutcome.ALREADY_DONE
    started = time.monotonic()
    with idem.holding(key) as held:  # released when the step raises, except once the result is committed
        try:
            with idem.keep_alive(key, lease=lease) as beat:
                text, text_notes = sources.document_text_and_notes(rt, doc.data)
                sources.check_token_budget(rt, text)
                extraction = rt.extractor.extract(text, jobs.job_fields(job))
                rt.crash("extract.after_provider")
                beat.check()  # stalled past the lease and taken over: the new holder records the result
        except LeaseLost:
            raise  # the claim is the new holder's: neither release nor complete it
        except PermanentError as exc:
            failed = jobs.fail_document(rt, job, job_id, doc, str(exc), also=[held.completion()])
            return StepOutcome.FAILED if failed else StepOutcome.ALREADY_DONE
        except TransientError as exc:
            if not _too_old_or_tried(rt, doc.data):
                rt.store.commit(
                    [Update(doc.path, {DocFields.ATTEMPTS: int(doc.data.get(DocFields.ATTEMPTS) or 0) + 1})]
                )
                raise  # released: the redelivery claims again
            reason = f"gave up after repeated temporary failures: {exc}"
            failed = jobs.fail_document(rt, job, job_id, doc, reason, also=[held.completion()])
            return StepOutcome.FAILED if failed else StepOutcome.ALREADY_DONE
        completion = held.completion()  # committed with the result (never released from here on)
        seconds = time.monotonic() - started
        usage = extraction.usage
        provider = extraction.provider or rt.extractor.name
        model = extraction.model or (usage.model if usage else "") or provider
        result = DocumentResult(
            file=str(doc.data[DocFields.NAME]),
            status="ok",
            pages=text.page_count,
            values=extraction.values,
            notes=[*text_notes, *extraction.notes],
            usage=usage,
            seconds=seconds,
            provider=provider,
            model=model,
        )
        now = rt.clock()
        done: dict[str, Any] = {
            DocFields.STATUS: job_model.DocStatus.DONE.value,
            DocFields.RESULT: result.to_dict(),
            DocFields.EXTRACTED_AT: now,
        }
        # analytics of the step on the document record (numbers and names only, never content); the
        # job's end writes the analytics record from it
        stats: dict[str, Any] = {
            StatsFields.PAGES: text.page_count,
            StatsFields.STATUS: "ok",
            StatsFields.EXTRACT_SECONDS: round(seconds, 3),
            StatsFields.PROVIDER: provider,
            StatsFields.MODEL: model,
            StatsFields.AT: now,
        }
        if usage is not None:  # token counts and cost per provider: numbers only, never content
            stats.update(
                prompt_tokens=usage.prompt_tokens,
                output_tokens=usage.output_tokens,
                llm_requests=usage.requests,
                cost_usd=round(usage.cost_usd, 6),
                escalated=usage.escalated,
                failed_over=usage.failed_over,
            )
        if _typed_by_extraction(rt):
            # The extractor types documents in its answer: this commit records the type and the
            # document is classified with it (the classify step has nothing left to do). An answer
            # without a type gets the free keyword verdict.
            doc_type = extraction.doc_type
            if not doc_type:
                from zapdoc.extraction.classify import classify_text

                doc_type, model_of_type = classify_text(text.text).doc_type, "offline"
            else:
                model_of_type = model
            done.update(extracted_doc_type=doc_type, doc_type=doc_type, classified=True, classified_at=now)
            stats.update(doc_type=doc_type, classify_model=model_of_type, classify_seconds=0.0)
        elif extraction.doc_type:  # the answer classified the document: the classify step records it
            done.update(extracted_doc_type=extraction.doc_type, doc_type=extraction.doc_type)
            stats.update(doc_type=extraction.doc_type, classify_model=model)
        recorded = _record_result(rt, job, job_id, doc, done, stats, completion)
    if recorded is None:
        _notify(rt, job_id, doc_id, "extract")
        return StepOutcome.ALREADY_DONE
    cost = round(usage.cost_usd, 6) if usage is not None else 0.0
    event(
        log,
        "document extracted",
        state="done",
        seconds=round(seconds, 3),
        provider=provider,
        model=model,
        cost_usd=cost,
    )
    jobs.notify_if_last(rt, job, job_id, doc_id, "extract", recorded.finished)
    return StepOutcome.DONE


@dataclass(frozen=True)
class _Recorded:
    finished: Update | None  # the open-documents decrement committed with the result, if any


def _typed_by_extraction(rt: Runtime) -> bool:
    return bool(getattr(rt.extractor, "types_in_extraction", False))


def _record_result(
    rt: Runtime,
    job: dict[str, Any],
    job_id: str,
    doc: Snapshot,
    done: dict[str, Any],
    stats: dict[str, Any],
    completion: Update,
) -> _Recorded | None:
    """Commit the result, the step's analytics and the idempotency completion in ONE commit, a
    compare-and-set on the document: the document finishes (open count decremented) when it is now
    classified (else classify finishes it). None when another invocation recorded a result first."""

    def step(doc: Snapshot | None) -> Commit[_Recorded | None] | Stop[_Recorded | None]:
        if doc is None:
            return Stop(None)
        record = DocumentRecord.from_doc(doc.data)
        if record.status is not job_model.DocStatus.PENDING:
            return Stop(None)
        fields = {**done, **{DocFields.stats(key): value for key, value in stats.items()}}
        finishes = bool(done.get(DocFields.CLASSIFIED) or record.classified)
        finished = jobs.finished_write(job_id) if finishes and jobs.counts_open(job) else None
        writes: list[Write] = [completion, *([finished] if finished is not None else [])]
        return Commit(fields, _Recorded(finished), also=writes)

    # a conflict: classify landed meanwhile (or another invocation finished it): read again
    return compare_and_set(
        rt.store,
        doc.path,
        step,
        snapshot=doc,
        exhausted=give_up("the document kept changing while its result was recorded"),
    )


def classify_document(rt: Runtime, job_id: str, doc_id: str) -> StepOutcome:
    """Record the document type and the step's analytics; idempotent under redelivery.

    An extractor that types documents in its answer (``types_in_extraction``) has the extraction's
    commit record the type: then there is nothing to do here, and nothing is read or written."""
    if _typed_by_extraction(rt):
        bind(job_id=job_id, document_id=doc_id)
        event(log, "typed by the extraction: nothing to classify", logging.DEBUG)
        return StepOutcome.TYPED
    loaded = _load(rt, job_id, doc_id)
    if loaded is None:
        return StepOutcome.IGNORED
    job, doc = loaded

    def step(doc: Snapshot | None) -> Commit[_Classified | None] | Stop[_Classified | None]:
        if doc is None:
            return Stop(None)
        record = DocumentRecord.from_doc(doc.data)
        if record.classified:
            return Stop(_Classified(done=False))
        started = time.monotonic()
        doc_type, note, model = "other", "", rt.extractor.name
        extracted = record.extracted_doc_type
        try:
            if extracted:
                # the extraction answer carried the type: record it, no request of our own
                doc_type, model = str(extracted), "extraction"
            else:
                text = sources.document_text(rt, doc.data)
                classification = rt.extractor.classify(text)
                doc_type = classification.doc_type
                if classification.usage and classification.usage.model:
                    model = classification.usage.model
        except PermanentError as exc:
            note = f"could not classify: {exc}"
        except TransientError:
            if not _too_old_or_tried(rt, doc.data):
                raise
            note = "could not classify: repeated temporary failures"
        seconds = time.monotonic() - started
        now = rt.clock()
        # extracted and now classified: the document is finished (a failed one finished already)
        finishes = doc.data.get(DocFields.STATUS) == job_model.DocStatus.DONE
        finished = jobs.finished_write(job_id) if finishes and jobs.counts_open(job) else None
        return Commit(
            {
                DocFields.CLASSIFIED: True,
                DocFields.DOC_TYPE: doc_type,
                DocFields.CLASSIFY_NOTE: note,
                DocFields.CLASSIFIED_AT: now,
                DocFields.stats(StatsFields.DOC_TYPE): doc_type,
                DocFields.stats(StatsFields.CLASSIFY_SECONDS): round(seconds, 3),
                DocFields.stats(StatsFields.CLASSIFY_MODEL): model,
                DocFields.stats(StatsFields.PAGES): doc.data.get(DocFields.PAGES),
                DocFields.stats(StatsFields.AT): now,
            },
            _Classified(True, doc_type, round(seconds, 3), model, finished),
            also=[finished] if finished is not None else [],
        )  # fmt: skip

    # a conflict: the extraction landed meanwhile: read again (and classify from what it recorded)
    classified = compare_and_set(
        rt.store,
        doc.path,
        step,
        snapshot=doc,
        exhausted=give_up("the document kept changing while it was being classified"),
    )
    if classified is None:
        return StepOutcome.IGNORED
    if not classified.done:
        _notify(rt, job_id, doc_id, "classify")
        return StepOutcome.ALREADY_DONE
    event(
        log, "document classified", doc_type=classified.doc_type, seconds=classified.seconds,
        model=classified.model,
    )  # fmt: skip
    jobs.notify_if_last(rt, job, job_id, doc_id, "classify", classified.finished)
    return StepOutcome.DONE


@dataclass(frozen=True)
class _Classified:
    done: bool  # False: classified before (by another invocation, or by the extraction's commit)
    doc_type: str = ""
    seconds: float = 0.0
    model: str = ""
    finished: Update | None = None  # the open-documents decrement committed with the type, if any
