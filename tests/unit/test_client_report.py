"""What `zapdoc submit` and `zapdoc dev submit` say about a finished job and while they wait."""

from __future__ import annotations

from zapdoc.client.report import WaitProgress, outcome_lines


def test_failed_documents_are_listed_with_their_reason_and_what_was_charged() -> None:
    docs: list[dict[str, object]] = [
        {"name": "good.pdf", "status": "done", "pages": 1},
        {"name": "password.pdf", "status": "failed", "pages": 2, "reason": "the PDF is password-protected"},
        {"name": "photo.pdf", "status": "rejected", "pages": None, "reason": "not a PDF: a PNG image"},
    ]
    assert outcome_lines("j1", "delivered", docs) == [
        "job j1: delivered, 3 documents: 1 extracted, 2 failed",
        "  failed: password.pdf: the PDF is password-protected (2 pages refunded)",
        "  failed: photo.pdf: not a PDF: a PNG image (not charged)",
    ]
    assert outcome_lines("j2", "delivered", docs[:1]) == ["job j2: delivered, 1 document extracted"]


def test_waiting_is_reported_when_it_changes_and_every_ten_seconds() -> None:
    lines: list[str] = []
    now = [0.0]
    wait = WaitProgress(lines.append, lambda: now[0])
    wait("awaiting_files", {"files_arrived": 1, "files_declared": 2})
    now[0] = 3
    wait("awaiting_files", {"files_arrived": 1, "files_declared": 2})  # unchanged, too soon: quiet
    now[0] = 4
    wait("running", {"documents": 3, "documents_finished": 1, "pages": 5})
    now[0] = 15
    wait("running", {"documents": 3, "documents_finished": 1, "pages": 5})  # unchanged, 11 s: heartbeat
    assert lines == [
        "  waiting for uploads: 1/2 files arrived (0 s)",
        "  extracting: 1/3 documents finished, 5 pages (4 s)",
        "  extracting: 1/3 documents finished, 5 pages (15 s)",
    ]
