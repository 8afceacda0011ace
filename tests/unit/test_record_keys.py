"""The services and the API name job and document record keys through ``JobFields`` / ``DocFields``
(domain/records.py), never as string literals: a renamed key then changes in one place, and a typo is a
NameError instead of a field that silently reads as missing.

An AST walk over shared/zapdoc/services/ and shared/zapdoc/api/ flags a string literal equal to a
``JobFields`` / ``DocFields`` value, or a dotted path into one of their maps (``"assembly.mailed_at"``,
``f"files.{fid}.pages"``), where it is used as a record key:

- a subscript (``job["status"]``) or the first argument of ``.get`` / ``.pop`` / ``.setdefault``;
- a key of a dict literal passed to ``Update(...)`` or returned in a ``Commit(...)``;
- the field of a ``Where(...)`` or ``Order(...)``.

False positives are kept down by attribution. Some keys are also keys of other records and dicts the
same modules handle (``SHARED``: ``"status"`` of an idempotency record or a webhook delivery, ``"name"``
of an API key, ``"user_id"`` of an API-key query, ...). A shared key is flagged only where the container
is attributable to a job or document:

- a subscript / ``.get`` on a variable named like a record (``RECORD_NAMES``: ``job``, ``doc``, ...)
  or on its ``.data``;
- an ``Update`` whose path is ``job_path(...)`` / ``document_path(...)`` or some ``<snapshot>.path``;
- a ``Where`` / ``Order`` in a function whose queries read only ``"jobs"`` or ``documents_collection(...)``.

Every other record key (``end_done``, ``open_documents``, ``classified``, dotted paths, ...) belongs to
jobs and documents only and is flagged in any of those positions. So the rule misses a shared key read
from a container with another name (``d.data["status"]``), and leaves alone a shared key of another
record. Nothing is allowed silently: a literal that must stay carries a trailing
``# record-key: <reason>`` comment on its line, and a marker on a line with no such literal, or without
a reason, fails the test too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from zapdoc.domain.records import DocFields, JobFields

PACKAGE = Path(__file__).resolve().parents[2] / "shared" / "zapdoc"
CHECKED = (PACKAGE / "services", PACKAGE / "api")

MARKER = re.compile(r"#\s*record-key:(?P<reason>.*)$")


def _values(cls: type) -> set[str]:
    return {v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str) and "." not in v}


RECORD_KEYS = frozenset(_values(JobFields) | _values(DocFields))
"""Every top-level key of a job or a document record."""

SHARED = frozenset(
    {
        "name", "email", "user_id", "created_at", "updated_at", "status", "reason", "slot",  # users, API
        "fields", "object", "generation", "pages", "doc_type", "result", "published",  # keys, templates,
        "attempts", "lease_until", "refunded", "files", "deadline_at", "webhook",  # deliveries, idempotency,
        # analytics rows, API bodies, storage and payment events
    }
)  # fmt: skip
"""Record keys that other records and dicts of the checked modules also use (see the module docstring).
Each is in use elsewhere today (a test checks it); a key added here is one the rule stops checking
outside containers it can attribute to records."""

RECORD_NAMES = frozenset({"job", "doc", "document", "job_doc", "doc_data", "job_data"})
"""Variables that hold a job or document record (as a dict, or a snapshot whose ``.data`` it is)."""

RECORD_PATHS = frozenset({"job_path", "document_path"})
RECORD_COLLECTIONS = frozenset({"documents_collection"})


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    key: str
    where: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: record key {self.key!r} as a literal ({self.where})"


def _literal_key(node: ast.AST) -> tuple[str, bool] | None:
    """(the key, whether it is a dotted path) when ``node`` spells a record key, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif (
        isinstance(node, ast.JoinedStr)
        and node.values
        and isinstance(first := node.values[0], ast.Constant)
        and isinstance(first.value, str)
    ):
        text = first.value  # f"files.{file_id}.pages": the literal head names the map
        if "." not in text:
            return None
    else:
        return None
    head, dot, _ = text.partition(".")
    if head not in RECORD_KEYS or any(c in text for c in " /"):
        return None
    if not dot:
        return text, False
    return text, True


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_record_container(node: ast.AST) -> bool:
    """``job``, ``doc``, ... or their ``.data``."""
    if isinstance(node, ast.Attribute) and node.attr == "data":
        node = node.value
    return isinstance(node, ast.Name) and node.id in RECORD_NAMES


def _is_record_path(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        return _name(node.func) in RECORD_PATHS
    return isinstance(node, ast.Attribute) and node.attr == "path"


def _is_record_collection(node: ast.expr, assigned: Mapping[str, ast.expr]) -> bool:
    if isinstance(node, ast.Name) and node.id in assigned:
        node = assigned[node.id]
    if isinstance(node, ast.Constant):
        return node.value == "jobs"
    return isinstance(node, ast.Call) and _name(node.func) in RECORD_COLLECTIONS


def _queries_read_records(scope: ast.AST) -> bool:
    """Every ``Query(...)`` of ``scope`` (a function, else the module) reads jobs or documents."""
    assigned = {
        t.id: n.value
        for n in ast.walk(scope)
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    queries = [n for n in ast.walk(scope) if isinstance(n, ast.Call) and _name(n.func) == "Query"]
    return bool(queries) and all(q.args and _is_record_collection(q.args[0], assigned) for q in queries)


def _dict_keys(node: ast.expr | None) -> Iterator[ast.expr]:
    if isinstance(node, ast.Dict):
        yield from (k for k in node.keys if k is not None)


def _uses(tree: ast.Module) -> Iterator[tuple[ast.expr, bool, str]]:
    """(literal node, whether its container is a job or document, what position) for each candidate."""
    scopes: dict[ast.AST, ast.AST] = {}
    for scope in ast.walk(tree):
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            for n in ast.walk(scope):
                scopes.setdefault(n, scope)  # outermost function: ast.walk visits it first
    reads_records: dict[ast.AST, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            yield node.slice, _is_record_container(node.value), "subscript"
        elif isinstance(node, ast.Call):
            func = _name(node.func)
            if isinstance(node.func, ast.Attribute) and func in ("get", "pop", "setdefault") and node.args:
                yield node.args[0], _is_record_container(node.func.value), f".{func}()"
            elif func == "Update":
                path = node.args[0] if node.args else None
                fields = node.args[1] if len(node.args) > 1 else None
                for kw in node.keywords:
                    path = kw.value if kw.arg == "path" else path
                    fields = kw.value if kw.arg == "fields" else fields
                attributed = path is not None and _is_record_path(path)
                for key in _dict_keys(fields):
                    yield key, attributed, "Update field"
            elif func == "Commit" and node.args:
                for key in _dict_keys(node.args[0]):
                    yield key, False, "Commit field"
            elif func in ("Where", "Order") and node.args:
                scope = scopes.get(node, tree)
                if scope not in reads_records:
                    reads_records[scope] = _queries_read_records(scope)
                yield node.args[0], reads_records[scope], f"{func} field"


def findings_in(path: Path, shared: frozenset[str] = SHARED) -> tuple[list[Finding], list[str]]:
    """The unmarked record-key literals of one file, and the problems with its markers."""
    source = path.read_text()
    lines = source.splitlines()
    found: list[Finding] = []
    flagged_lines: set[int] = set()
    for node, attributed, where in _uses(ast.parse(source)):
        spelled = _literal_key(node)
        if spelled is None:
            continue
        key, dotted = spelled
        if not (dotted or attributed or key not in shared):
            continue
        flagged_lines.add(node.lineno)
        if not MARKER.search(lines[node.lineno - 1]):
            found.append(Finding(path, node.lineno, key, where))
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if (marker := MARKER.search(line)) is None:
            continue
        if not marker.group("reason").strip():
            problems.append(f"{path}:{number}: a record-key marker without a reason")
        elif number not in flagged_lines:
            problems.append(f"{path}:{number}: a record-key marker on a line with no record-key literal")
    return found, problems


def check(roots: tuple[Path, ...], shared: frozenset[str] = SHARED) -> list[str]:
    out: list[str] = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            found, problems = findings_in(path, shared)
            out += [str(f) for f in found] + problems
    return out


def test_services_and_api_spell_no_record_key() -> None:
    problems = check(CHECKED)
    assert problems == [], "use JobFields / DocFields (domain/records.py):\n" + "\n".join(problems)


PLANTED = """
from zapdoc.domain import job_model
from zapdoc.ports.store import Commit, Order, Query, Update, Where


def bad(rt, job, snap, fid, record):
    status = job["status"]                                           # shared key, record container
    done = snap.data.get("end_done")                                 # job-only key, any container
    rt.store.commit([Update(job_model.job_path("j"), {"assembly.mailed_at": 1})])  # dotted path
    rt.store.commit([Update(snap.path, {f"files.{fid}.pages": 2})])  # f-string path
    q = Query("jobs", (Where("status", "==", "running"),), order_by=(Order("deadline_at"),))  # two
    ok = record.get("status")              # another record's status: not flagged
    Update(f"users/{fid}", {"updated_at": 3})  # another record's shared key: not flagged
    Commit({"open_documents": 4}, None)                              # job-only key
    kept = job["reason"]  # record-key: planted, a marked literal stays
    empty = job["charged"]  # record-key:
    stale = 1  # record-key: nothing to mark here
    return status, done, q, ok, kept, empty, stale


def other(rt):
    return Query("api_keys", (Where("user_id", "==", "u"),), order_by=(Order("created_at"),))
"""


def test_the_checker_catches_a_planted_violation(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(PLANTED.lstrip("\n"))
    found, problems = findings_in(planted)
    assert sorted((f.line, f.key) for f in found) == [
        (6, "status"),
        (7, "end_done"),
        (8, "assembly.mailed_at"),
        (9, "files."),
        (10, "deadline_at"),
        (10, "status"),
        (13, "open_documents"),
    ]
    assert problems == [
        f"{planted}:15: a record-key marker without a reason",
        f"{planted}:16: a record-key marker on a line with no record-key literal",
    ]
    assert len(check((tmp_path,))) == len(found) + len(problems)


def test_key_sets_come_from_the_records() -> None:
    assert {"status", "end_done", "assembly", "classified", "stats"} <= RECORD_KEYS
    assert SHARED <= RECORD_KEYS  # a shared key that is no record key would be a stale entry


def test_every_shared_key_is_used_by_something_else_today() -> None:
    """Checking the shared keys everywhere flags each of them (outside records): none is exempt for
    nothing."""
    checked = set(check(CHECKED))
    unshared = [line for line in check(CHECKED, frozenset()) if line not in checked]
    flagged = {m.group(1) for line in unshared if (m := re.search(r"record key '([^']+)'", line))}
    assert sorted(SHARED - flagged) == []
