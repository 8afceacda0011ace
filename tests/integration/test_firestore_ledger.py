"""The ledger on the real Firestore emulator: atomic balance + entry, idempotent keys, no overdraft."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from zapdoc.adapters.firestore import FirestoreStore
from zapdoc.services.ledger import Ledger, Outcome

pytestmark = pytest.mark.emulators


@pytest.fixture
def ledger(firestore_client: Any) -> Ledger:
    return Ledger(FirestoreStore(firestore_client))


def _user(ledger: Ledger, credits: int) -> str:
    user_id = f"u-{uuid.uuid4().hex[:8]}"
    ledger.ensure_user(user_id, email=f"{user_id}@example.com", initial_credits=credits)
    return user_id


def test_debit_writes_balance_and_entry_together(ledger: Ledger) -> None:
    # GIVEN a user with 100 credits
    user = _user(ledger, 100)
    # WHEN a job of 7 pages is debited
    result = ledger.apply(user, "debit:job-1", -7, meta={"job_id": "job-1"})
    # THEN the balance and the ledger agree
    assert result.outcome is Outcome.APPLIED
    assert ledger.balance(user) == 93
    entries = ledger.entries(user)
    assert sorted(e["delta"] for e in entries) == [-7, 100]
    assert sum(e["delta"] for e in entries) == ledger.balance(user)


def test_same_key_twice_debits_once(ledger: Ledger) -> None:
    user = _user(ledger, 10)
    first = ledger.apply(user, "debit:job-1", -4)
    second = ledger.apply(user, "debit:job-1", -4)
    assert (first.outcome, second.outcome) == (Outcome.APPLIED, Outcome.ALREADY_APPLIED)
    assert ledger.balance(user) == 6


def test_debit_larger_than_balance_is_refused_without_entry(ledger: Ledger) -> None:
    user = _user(ledger, 3)
    result = ledger.apply(user, "debit:big", -5)
    assert result.outcome is Outcome.INSUFFICIENT
    assert ledger.balance(user) == 3
    assert not ledger.has_entry(user, "debit:big")


def test_concurrent_debits_with_same_key_apply_once(ledger: Ledger) -> None:
    # GIVEN 20 deliveries of the same job's debit racing each other
    user = _user(ledger, 100)
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda _: ledger.apply(user, "debit:job-x", -5).outcome, range(20)))
    # THEN exactly one applied
    assert outcomes.count(Outcome.APPLIED) == 1
    assert outcomes.count(Outcome.ALREADY_APPLIED) == 19
    assert ledger.balance(user) == 95


def test_twenty_jobs_racing_for_ten_jobs_worth_of_credits(ledger: Ledger) -> None:
    # GIVEN credits for exactly 10 jobs of 3 pages
    user = _user(ledger, 30)
    # WHEN 20 different jobs race to debit
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda i: ledger.apply(user, f"debit:job-{i}", -3).outcome, range(20)))
    # THEN exactly the affordable ones ran, and money adds up
    assert outcomes.count(Outcome.APPLIED) == 10
    assert outcomes.count(Outcome.INSUFFICIENT) == 10
    assert ledger.balance(user) == 0
    entries = ledger.entries(user)
    assert all(e["balance_after"] >= 0 for e in entries)
    assert sum(e["delta"] for e in entries) == ledger.balance(user)
