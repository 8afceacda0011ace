"""Every credit change goes through the ledger: ``at_most`` debits (refund revocations), and no other
module writes a balance or a ledger entry."""

from __future__ import annotations

import ast
from pathlib import Path

from zapdoc.adapters.memory import MemoryStore
from zapdoc.ports.store import Create, Write
from zapdoc.services.ledger import Ledger, Outcome

PACKAGE = Path(__file__).resolve().parents[2] / "shared" / "zapdoc"
WRITES = {"Create", "Put", "Update", "Remove"}
LEDGER_PATHS = {"user_path", "entry_path"}


def ledger_with(credits: int) -> Ledger:
    ledger = Ledger(MemoryStore())
    ledger.ensure_user("u", email="u@example.com", initial_credits=credits)
    return ledger


def test_an_at_most_debit_takes_what_is_left_and_says_how_much() -> None:
    ledger = ledger_with(30)
    seen: list[int] = []

    def note(delta: int) -> list[Write]:
        seen.append(delta)
        return [Create("notes/revoke", {"taken": -delta})]

    result = ledger.apply("u", "revoke:s:500", -100, at_most=True, also_taken=note)
    assert (result.outcome, result.balance, result.delta) == (Outcome.APPLIED, 0, -30)
    assert seen == [-30]
    assert ledger._store.get("notes/revoke").data == {"taken": 30}  # type: ignore[union-attr]
    entries = {e["key"]: e["delta"] for e in ledger.entries("u")}
    assert entries == {"grant:opening": 30, "revoke:s:500": -30}
    assert ledger.balance("u") == sum(entries.values()) == 0


def test_an_at_most_debit_the_balance_covers_takes_all_of_it_and_applies_once() -> None:
    ledger = ledger_with(100)
    first = ledger.apply("u", "revoke:s:200", -40, at_most=True)
    again = ledger.apply("u", "revoke:s:200", -40, at_most=True)
    assert (first.outcome, first.balance, first.delta) == (Outcome.APPLIED, 60, -40)
    assert (again.outcome, again.delta) == (Outcome.ALREADY_APPLIED, 0)
    assert ledger.balance("u") == 60


def test_an_at_most_debit_on_an_empty_balance_records_a_zero_change() -> None:
    ledger = ledger_with(0)
    result = ledger.apply("u", "revoke:s:500", -100, at_most=True)
    assert (result.outcome, result.balance, result.delta) == (Outcome.APPLIED, 0, 0)
    assert ledger.has_entry("u", "revoke:s:500")  # a repeat finds it: the revocation happened, taking 0


def test_without_at_most_the_same_debit_is_still_refused() -> None:
    ledger = ledger_with(30)
    assert ledger.apply("u", "debit:j", -100).outcome is Outcome.INSUFFICIENT
    assert ledger.balance("u") == 30


def _ledger_writes(tree: ast.AST) -> list[int]:
    """Lines where a store write (Create/Put/Update/Remove) targets ``user_path(...)``/``entry_path(...)``
    or writes a ``"credits"`` field (a balance, whatever the path is called)."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in WRITES):
            continue
        target = node.args[0] if node.args else None
        fields = node.args[1] if len(node.args) > 1 else None
        to_ledger = (
            isinstance(target, ast.Call)
            and isinstance(target.func, ast.Name)
            and target.func.id in LEDGER_PATHS
        )
        balance = isinstance(fields, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value == "credits" for k in fields.keys
        )
        if to_ledger or balance:
            lines.append(node.lineno)
    return lines


def test_only_the_ledger_writes_balances_and_ledger_entries() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "ledger.py" and (lines := _ledger_writes(ast.parse(path.read_text())))
    }
    assert offenders == {}, f"balance or ledger writes outside services/ledger.py: {offenders}"
    # the walk sees such writes: the ledger's own, and a balance written through a snapshot's path
    assert _ledger_writes(ast.parse((PACKAGE / "services" / "ledger.py").read_text()))
    by_hand = 'commit([Update(user.path, {"credits": 0}, if_version=user.version)])'
    assert _ledger_writes(ast.parse(by_hand)) == [1]
