"""What the command line says about a finished job: the outcome, every failed document with its reason,
the credits. Shared by ``zapdoc submit`` (API) and ``zapdoc dev submit`` (local stack)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zapdoc.mails import delivery_subject, plural

FAILED = ("failed", "rejected")


def outcome_lines(job_id: str, status: str, documents: Sequence[Mapping[str, Any]]) -> list[str]:
    """``job X: delivered, 3 documents: 1 extracted, 2 failed`` and one line per failed document."""
    failed = [d for d in documents if d.get("status") in FAILED]
    ok = len(documents) - len(failed)
    head = f"job {job_id}: {status}"
    if documents and status == "delivered":
        head += f", {delivery_subject(ok, len(failed))}"
    lines = [head]
    for d in failed:
        pages = d.get("pages")
        if d.get("status") == "rejected":
            cost = "not charged"
        elif pages:
            cost = f"{plural(int(pages), 'page')} refunded"
        else:
            cost = "not charged"
        reason = str(d.get("reason") or "not processed")
        lines.append(f"  failed: {d.get('name')}: {reason} ({cost})")
    return lines


class WaitProgress:
    """Says what a job is waiting for whenever that changes, and at least every ``every`` seconds."""

    def __init__(self, write: Any, clock: Any, every: float = 10.0) -> None:
        self._write = write
        self._clock = clock
        self._every = every
        self._started = clock()
        self._last = ""
        self._said_at = self._started

    def __call__(self, status: str, progress: Mapping[str, Any]) -> None:
        now = self._clock()
        arrived, declared = progress.get("files_arrived", 0), progress.get("files_declared", 0)
        done, total = progress.get("documents_finished", 0), progress.get("documents", 0)
        if status == "awaiting_files":
            what = f"waiting for uploads: {arrived}/{declared} files arrived"
        elif status == "running":
            what = (
                f"extracting: {done}/{total} documents finished, {plural(progress.get('pages', 0), 'page')}"
            )
        elif status == "assembling":
            what = f"building the workbook and the mail ({total} documents)"
        else:
            what = status
        if what != self._last or now - self._said_at >= self._every:
            self._write(f"  {what} ({now - self._started:.0f} s)")
            self._last, self._said_at = what, now
