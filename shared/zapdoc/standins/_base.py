"""The machinery shared by the LLM stand-ins: a threaded loopback HTTP server, a script of answers, a
record of every request, token counting from request sizes, and the "auto" answerer that runs the
offline extractor on the delimited document so a whole job can run "on Gemini" locally.
"""

from __future__ import annotations

import argparse
import base64
import collections
import datetime as dt
import json
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal

from zapdoc.domain.documents import DocumentText, Extraction
from zapdoc.llm.prompt import ParsedDocument, estimate_tokens, first_page_of_pdf_prompt, parse_prompt
from zapdoc.llm.schema import fields_from_schema
from zapdoc.standins._http import LoopbackServer

PDF_PAGE_TOKENS = 258
"""Tokens Gemini 2.x bills per natively read PDF page; the stand-ins count the same."""

StepKind = Literal["auto", "json", "text", "error", "safety"]


@dataclass(frozen=True)
class Step:
    """One scripted answer. ``latency`` delays it; ``finish`` overrides the finish reason."""

    kind: StepKind
    payload: Any = None
    status: int = 200
    latency: float = 0.0
    finish: str | None = None


def answer_json(obj: Any, *, latency: float = 0.0) -> Step:
    """Answer with ``obj`` serialised as JSON text."""
    return Step("json", obj, latency=latency)


def answer_text(text: str, *, finish: str | None = None, latency: float = 0.0) -> Step:
    """Answer with raw model text: fenced JSON, truncated JSON, prose..."""
    return Step("text", text, latency=latency, finish=finish)


def error(status: int, message: str = "", *, latency: float = 0.0) -> Step:
    """Answer with an HTTP error in the provider's error format (429, 500, 503, 400...)."""
    return Step("error", message or f"stand-in error {status}", status=status, latency=latency)


def safety() -> Step:
    """The provider refuses to answer (Gemini finish reason SAFETY; OpenAI content filter)."""
    return Step("safety")


def auto(*, latency: float = 0.0) -> Step:
    """Answer from the prompt by running the offline extractor (or classifier) on the document."""
    return Step("auto", latency=latency)


Purpose = Literal["extract", "classify"]


@dataclass(frozen=True)
class ParsedRequest:
    """A provider-neutral view of one request: what the auto answerer and test responders read."""

    system: str
    texts: tuple[str, ...]
    pdfs: tuple[bytes, ...]
    schema: dict[str, Any] | None
    purpose: Purpose
    model: str = ""

    @property
    def user_text(self) -> str:
        return "\n".join(self.texts)

    @property
    def document(self) -> ParsedDocument | None:
        """The delimited document; for PDF parts, the text layer of the attached pages."""
        doc = parse_prompt(self.user_text)
        if self.pdfs:
            first = first_page_of_pdf_prompt(self.user_text)
            pages = {first + i: text for i, text in enumerate(pdf_page_texts(self.pdfs[0]))}
            delim = doc.delimiter if doc else ""
            return ParsedDocument(delimiter=delim, pages=pages, body="\n".join(pages.values()))
        return doc

    def prompt_tokens(self) -> int:
        schema = json.dumps(self.schema, separators=(",", ":")) if self.schema else ""
        pdf_pages = sum(len(pdf_page_texts(p)) for p in self.pdfs)
        return estimate_tokens(self.system + "".join(self.texts) + schema) + PDF_PAGE_TOKENS * pdf_pages


def decode_b64(data: str) -> bytes:
    """Decode standard or URL-safe base64 (google-genai sends ``inlineData`` URL-safe)."""
    data = data.strip()
    return base64.b64decode(
        data + "=" * (-len(data) % 4), altchars=b"-_" if "-" in data or "_" in data else None
    )


def pdf_page_texts(data: bytes) -> list[str]:
    """Text of each page of a PDF part (a scan gives empty pages: the stand-in cannot do OCR)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@dataclass
class Recorded:
    """A request the stand-in received, for tests to assert on what was sent."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    parsed: ParsedRequest | None
    at: float = field(default_factory=time.monotonic)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):  # a model writes a JSON number; its repr keeps the printed digits
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent == 0
            else float(value)
        )
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def extraction_to_answer(
    extraction: Extraction, page_numbers: list[int], texts: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Render an offline ``Extraction`` as the model answer the schema asks for, following the system
    instruction: evidence (at most 8 words) only for scalar values not found verbatim in the pages,
    absent values left out."""
    values: dict[str, Any] = {}
    evidence: list[dict[str, Any]] = []
    squashed = _squash("\n".join(texts))
    for name, fv in extraction.values.items():
        if fv.value is None:
            continue
        values[name] = _jsonable(fv.value)
        verbatim = isinstance(fv.value, str) and len(_squash(fv.value)) >= 3 and _squash(fv.value) in squashed
        if fv.evidence is not None and not verbatim and not isinstance(fv.value, list):
            idx = (fv.evidence.page or 1) - 1
            page = page_numbers[idx] if 0 <= idx < len(page_numbers) else page_numbers[0]
            quote = " ".join(fv.evidence.snippet.split()[:8])  # "an exact quote (<= 8 words)"
            evidence.append({"field": name, "page": page, "quote": quote})
    return {"values": values, "evidence": evidence}


def auto_answer(parsed: ParsedRequest) -> Any:
    """Answer like a careful model would, from the document in the prompt: a label or a JSON object."""
    doc = parsed.document
    numbers = sorted(doc.pages) if doc and doc.pages else [1]
    texts = tuple(doc.pages[n] for n in numbers) if doc and doc.pages else ("",)
    if parsed.purpose == "classify":
        from zapdoc.llm.engine import offline_classification

        return offline_classification("\n".join(texts)).doc_type
    from zapdoc.extraction.offline import OfflineExtractor

    fields = fields_from_schema(parsed.schema or {})
    document = DocumentText(name="stand-in", pages=texts, page_count=len(texts))
    answer = extraction_to_answer(OfflineExtractor().extract(document, fields), numbers, texts)
    if "doc_type" in (parsed.schema or {}).get("properties", {}):
        from zapdoc.llm.engine import offline_classification

        answer = {"doc_type": offline_classification("\n".join(texts)).doc_type, **answer}
    return answer


Responder = Callable[[ParsedRequest], Any]


class StandInServer(LoopbackServer):
    """A scriptable loopback HTTP server; subclasses speak one provider's REST dialect."""

    def __init__(
        self, *, latency: float = 0.0, responder: Responder | None = None, fail_status: int | None = None
    ) -> None:
        super().__init__()
        self.latency = latency
        self.responder = responder
        self.fail_status = fail_status
        """When set, every request is answered with this HTTP error (e.g. 429 forever: quota gone)."""
        self.requests: list[Recorded] = []
        self._script: collections.deque[Step] = collections.deque()
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------------- to override

    def parse(self, path: str, body: dict[str, Any]) -> ParsedRequest | None:
        raise NotImplementedError

    def render_answer(self, text: str, parsed: ParsedRequest, finish: str | None) -> dict[str, Any]:
        raise NotImplementedError

    def render_error(self, status: int, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def render_safety(self, parsed: ParsedRequest) -> dict[str, Any]:
        raise NotImplementedError

    def auto_text(self, parsed: ParsedRequest, answer: Any) -> str:
        """Serialise an auto/responder answer as the model's text."""
        return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)

    # ------------------------------------------------------------------------------- scripting

    def enqueue(self, *steps: Step) -> None:
        """Queue answers for the next requests, in order; once empty, answers are "auto"."""
        with self._lock:
            self._script.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def _next_step(self) -> Step:
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.fail_status is not None:
            return error(self.fail_status, f"stand-in answers {self.fail_status} to every request")
        return auto()

    def stats(self) -> dict[str, Any]:
        """What ``GET /_standin/stats`` reports: request counts (tests of a stand-in in another process)."""
        received = self.received()
        by_purpose: dict[str, int] = collections.Counter(
            r.parsed.purpose for r in received if r.parsed is not None
        )
        return {"requests": len(received), "by_purpose": dict(by_purpose)}

    def received(self) -> list[Recorded]:
        with self._lock:
            return list(self.requests)

    def respond(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer one request according to the script (the HTTP layer only moves bytes)."""
        parsed = self.parse(path, body)
        with self._lock:
            self.requests.append(Recorded(path=path, headers=headers, body=body, parsed=parsed))
        if parsed is None:
            return 404, self.render_error(404, f"no such endpoint: {path}")
        step = self._next_step()
        delay = step.latency or self.latency
        if delay:
            time.sleep(delay)
        if step.kind == "error":
            return step.status, self.render_error(step.status, str(step.payload))
        if step.kind == "safety":
            return 200, self.render_safety(parsed)
        if step.kind == "json":
            text = json.dumps(step.payload, ensure_ascii=False)
        elif step.kind == "text":
            text = str(step.payload)
        else:
            answer = self.responder(parsed) if self.responder else auto_answer(parsed)
            text = self.auto_text(parsed, answer)
        return 200, self.render_answer(text, parsed, step.finish)

    # ----------------------------------------------------------------------------------- server

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = -1  # headers and body leave in one write (no Nagle / delayed-ACK stalls)
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read ``requests`` instead."""

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing left to tell it

            def do_GET(self) -> None:
                if self.path.rstrip("/") in ("/healthz", ""):
                    self._send(200, {"status": "ok"})
                elif self.path.rstrip("/") == "/_standin/stats":
                    self._send(200, stand_in.stats())
                else:
                    self._send(404, stand_in.render_error(404, f"no such endpoint: {self.path}"))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._send(400, stand_in.render_error(400, "request body is not JSON"))
                    return
                status, payload = stand_in.respond(self.path, body, dict(self.headers.items()))
                self._send(status, payload)

        return Handler


def serve_main(factory: Callable[[float], StandInServer], description: str) -> None:
    """``python -m zapdoc.standins.<name> --port P``: serve in "auto" mode until interrupted."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer")
    parser.add_argument(
        "--fail-status", type=int, default=None, help="answer every request with this HTTP error (e.g. 429)"
    )
    args = parser.parse_args()
    server = factory(args.latency)
    server.fail_status = args.fail_status
    url = server.start(port=args.port, host=args.host)
    print(url, flush=True)  # the local stack reads the URL from stdout
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
