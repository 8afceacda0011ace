"""Read the Terraform in ``terraform/`` offline (python-hcl2) and evaluate the small expression subset it
uses, so tests can compare the deployed configuration with what the code reads and expects."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hcl2.api import loads as hcl_loads

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO / "terraform"

# Values for required variables (no default) when an expression needs them.
TEST_VARIABLES: dict[str, Any] = {
    "project_id": "zapdoc-test-project",
    "mail_from": "ZapDoc <results@zapdoc-test.example.org>",
    "checkout_success_url": "https://app.zapdoc-test.example.org/credits?checkout=success",
    "checkout_cancel_url": "https://app.zapdoc-test.example.org/credits?checkout=cancelled",
    "alert_email": "ops@zapdoc-test.example.org",
    "billing_account": "000000-000000-000000",
    "public_url": "https://app.zapdoc-test.example.org",
}


class Unresolvable(Exception):
    """An expression outside the subset this evaluator understands."""


def attr(body: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """The value of attribute ``name`` (python-hcl2 wraps every attribute value in a one-item list)."""
    value = body.get(name)
    if value is None:
        return default
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def blocks(body: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """Every nested block ``name`` of ``body`` (python-hcl2 gives a list of dicts)."""
    found = body.get(name) or []
    return [b for b in found if isinstance(b, dict)]


def dynamic_blocks(body: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The ``content`` of every ``dynamic "name"`` block of ``body``."""
    out: list[dict[str, Any]] = []
    for dyn in blocks(body, "dynamic"):
        holder = dyn.get(name)
        if isinstance(holder, dict):
            out.extend(blocks(holder, "content"))
    return out


@dataclass
class Stack:
    """All blocks of a Terraform directory, merged across files."""

    directory: Path
    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    text: str = ""

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return self.resources.get(rtype, {})

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        try:
            return self.resources[rtype][name]
        except KeyError:
            raise KeyError(f"no resource {rtype}.{name} in {self.directory}") from None

    def variable_default(self, name: str) -> Any:
        if name in TEST_VARIABLES:
            return TEST_VARIABLES[name]
        if name not in self.variables:
            raise Unresolvable(f"unknown variable {name}")
        body = self.variables[name]
        if "default" not in body:
            raise Unresolvable(f"variable {name} has no default")
        return attr(body, "default")

    def evaluate(self, value: Any, each: tuple[Any, Any] | None = None) -> Any:
        """Evaluate an attribute value: literals as they are, ``${...}`` interpolations resolved."""
        return Evaluator(self, each).value(value)

    def expand(self, rtype: str) -> Iterator[tuple[str, dict[str, Any], tuple[Any, Any] | None]]:
        """Each instance of every resource of ``rtype``: (address, body, (each.key, each.value) or None)."""
        for name, body in self.of_type(rtype).items():
            for_each = body.get("for_each")
            if for_each is None:
                yield f"{rtype}.{name}", body, None
                continue
            collection = self.evaluate(attr(body, "for_each"))
            items = collection.items() if isinstance(collection, dict) else ((v, v) for v in collection)
            for key, val in items:
                yield f'{rtype}.{name}["{key}"]', body, (key, val)


def load_stack(directory: Path = TERRAFORM_DIR) -> Stack:
    """Parse every ``*.tf`` file of ``directory`` into one :class:`Stack`."""
    stack = Stack(directory)
    texts: list[str] = []
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text()
        texts.append(text)
        parsed = hcl_loads(text)
        for group in parsed.get("resource", []):
            for rtype, named in group.items():
                for name, body in named.items():
                    stack.resources.setdefault(rtype, {})[name] = body
        for group in parsed.get("data", []):
            for dtype, named in group.items():
                for name, body in named.items():
                    stack.data.setdefault(dtype, {})[name] = body
        for group in parsed.get("locals", []):
            for name, value in group.items():
                if not name.startswith("__"):
                    stack.locals[name] = value[0] if isinstance(value, list) and len(value) == 1 else value
        for group in parsed.get("variable", []):
            stack.variables.update(group)
        for group in parsed.get("output", []):
            stack.outputs.update(group)
    stack.text = "\n".join(texts)
    return stack


# --- a small evaluator for the HCL expressions the stack uses ------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<op>==|!=|>=|<=|&&|\|\||[-+*/%?:(),.\[\]{}<>!=]))"
)


def _string_end(text: str, start: int) -> int:
    """Index just past the string literal opening at ``start`` (templates may nest quotes in ``${}``)."""
    quote, depth, i = text[start], 0, start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if ch == "}" and depth:
            depth -= 1
        elif ch == quote and not depth:
            return i + 1
        i += 1
    raise Unresolvable(f"unterminated string in {text!r}")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        if text[pos] in "\"'":
            end = _string_end(text, pos)
            out.append(("str", text[pos:end]))
            pos = end
            continue
        m = _TOKEN.match(text, pos)
        if not m:
            raise Unresolvable(f"cannot read {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def interpolations(text: str) -> list[tuple[int, int]]:
    """Spans of top-level ``${...}`` in ``text`` (nested braces respected)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text) - 1:
        if text.startswith("${", i):
            depth, j = 0, i + 1
            while j < len(text):
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            spans.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return spans


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_FUNCTIONS: dict[str, Any] = {
    "tostring": _as_text,
    "min": min,
    "max": max,
    "length": len,
    "join": lambda sep, items: sep.join(_as_text(i) for i in items),
    "toset": lambda items: list(dict.fromkeys(items)),
    "replace": lambda s, old, new: str(s).replace(old, new),
    "lookup": lambda m, k, d=None: m.get(k, d),
    "merge": lambda *maps: {k: v for m in maps for k, v in m.items()},
}


class Evaluator:
    """Recursive-descent evaluation of one expression; references resolve against the stack."""

    def __init__(self, stack: Stack, each: tuple[Any, Any] | None) -> None:
        self.stack = stack
        self.each = each
        self.toks: list[tuple[str, str]] = []
        self.pos = 0

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items() if not k.startswith("__")}
        if not isinstance(value, str) or "${" not in value:
            return value
        spans = interpolations(value)
        if len(spans) == 1 and spans[0] == (0, len(value)):
            return self.expression(value[2:-1])
        out, last = [], 0
        for start, end in spans:
            out.append(value[last:start])
            out.append(_as_text(self.expression(value[start + 2 : end - 1])))
            last = end
        out.append(value[last:])
        return "".join(out)

    def expression(self, text: str) -> Any:
        sub = Evaluator(self.stack, self.each)
        sub.toks = _tokens(text)
        result = sub.ternary()
        if sub.pos != len(sub.toks):
            raise Unresolvable(f"unexpected {sub.toks[sub.pos][1]!r} in {text!r}")
        return result

    # grammar
    def peek(self) -> str:
        return self.toks[self.pos][1] if self.pos < len(self.toks) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.toks):
            raise Unresolvable("unexpected end of expression")
        tok = self.toks[self.pos]
        if expected is not None and tok[1] != expected:
            raise Unresolvable(f"expected {expected!r}, got {tok[1]!r}")
        self.pos += 1
        return tok

    def ternary(self) -> Any:
        cond = self.comparison()
        if self.peek() == "?":
            self.take("?")
            yes = self.ternary()
            self.take(":")
            no = self.ternary()
            return yes if cond else no
        return cond

    def comparison(self) -> Any:
        left = self.additive()
        ops = {
            ">": lambda a, b: a > b,
            "<": lambda a, b: a < b,
            ">=": lambda a, b: a >= b,
            "<=": lambda a, b: a <= b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
        }
        if self.peek() in ops:
            op = self.take()[1]
            return ops[op](left, self.additive())
        return left

    def additive(self) -> Any:
        left = self.multiplicative()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.multiplicative()
            left = left + right if op == "+" else left - right
        return left

    def multiplicative(self) -> Any:
        left = self.postfix()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            right = self.postfix()
            left = left * right if op == "*" else left / right
        return left

    def postfix(self) -> Any:
        kind, tok = self.take()
        if kind == "num":
            return float(tok) if "." in tok else int(tok)
        if kind == "str":
            return self.value(tok[1:-1].replace('\\"', '"'))
        if tok == "(":
            inner = self.ternary()
            self.take(")")
            return inner
        if tok == "[":
            items: list[Any] = []
            while self.peek() != "]":
                items.append(self.ternary())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            return items
        if kind != "name":
            raise Unresolvable(f"unexpected {tok!r}")
        if tok in ("true", "false"):
            return tok == "true"
        if tok in ("null", "None"):
            return None
        if self.peek() == "(":
            self.take("(")
            args: list[Any] = []
            while self.peek() != ")":
                args.append(self.ternary())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            if tok not in _FUNCTIONS:
                raise Unresolvable(f"function {tok}() is not supported")
            return _FUNCTIONS[tok](*args)
        path: list[Any] = [tok]
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                path.append(self.take()[1])
            else:
                path.append(self.ternary())
                self.take("]")
        return self.resolve(path)

    def resolve(self, path: list[Any]) -> Any:
        head = path[0]
        if head == "var":
            return _index(self.stack.variable_default(path[1]), path[2:])
        if head == "local":
            if path[1] not in self.stack.locals:
                raise Unresolvable(f"unknown local {path[1]}")
            return _index(self.stack.evaluate(self.stack.locals[path[1]]), path[2:])
        if head == "each":
            if self.each is None:
                raise Unresolvable("each outside for_each")
            return _index(self.each[0] if path[1] == "key" else self.each[1], path[2:])
        if head == "path":
            return str(self.stack.directory)
        if head in self.stack.resources and len(path) >= 3:
            return self.resource_attribute(path)
        return Reference(".".join(_as_text(p) for p in path))

    def resource_attribute(self, path: list[Any]) -> Any:
        rtype, rname, rest = path[0], path[1], path[2:]
        body = self.stack.resources[rtype].get(rname)
        if body is None:
            raise Unresolvable(f"unknown resource {rtype}.{rname}")
        each: tuple[Any, Any] | None = None
        if rest and (not isinstance(rest[0], str) or ("for_each" in body and rest[0] not in body)):
            key = rest[0]
            coll = self.stack.evaluate(attr(body, "for_each"))
            each = (key, coll[key] if isinstance(coll, dict) else key)
            rest = rest[1:]
        name = rest[0] if rest else ""
        if name == "email" and rtype == "google_service_account":
            account = Evaluator(self.stack, each).value(attr(body, "account_id"))
            return f"{account}@{TEST_VARIABLES['project_id']}.iam.gserviceaccount.com"
        if name in ("name", "secret_id", "id") and (attr(body, "name") or attr(body, "secret_id")):
            return Evaluator(self.stack, each).value(attr(body, "name") or attr(body, "secret_id"))
        return Reference(".".join(_as_text(p) for p in path))


class Reference(str):
    """A value only known after apply (a URL, an id): kept as its dotted reference."""


def _index(value: Any, keys: list[Any]) -> Any:
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            raise Unresolvable(f"cannot index {value!r} by {key!r}") from None
    return value
