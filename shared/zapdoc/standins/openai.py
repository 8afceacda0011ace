"""A local OpenAI-compatible stand-in (``POST /v1/chat/completions``), like a llama.cpp or vLLM server.

``OpenAIStandIn().start()`` returns the base URL (ending in ``/v1``) for ``ZAPDOC_OPENAI_BASE_URL``;
``python -m zapdoc.standins.openai --port P`` serves the local stack.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from zapdoc.llm.prompt import estimate_tokens
from zapdoc.standins._base import ParsedRequest, StandInServer, serve_main

_TYPES = {400: "invalid_request_error", 429: "rate_limit_exceeded", 500: "server_error", 503: "server_error"}


def _decode_file(part: dict[str, Any]) -> bytes | None:
    data = str((part.get("file") or {}).get("file_data") or "")
    if "base64," not in data:
        return None
    return base64.b64decode(data.split("base64,", 1)[1])


class OpenAIStandIn(StandInServer):
    """Answers ``chat/completions`` with ``usage`` counted from request sizes."""

    base_path = "/v1"

    def parse(self, path: str, body: dict[str, Any]) -> ParsedRequest | None:
        if path.split("?", maxsplit=1)[0].rstrip("/") != "/v1/chat/completions":
            return None
        system: list[str] = []
        texts: list[str] = []
        pdfs: list[bytes] = []
        for message in body.get("messages", []):
            content = message.get("content")
            chunks: list[str] = []
            if isinstance(content, str):
                chunks.append(content)
            elif isinstance(content, list):
                for part in content:
                    if part.get("type") == "text":
                        chunks.append(str(part.get("text", "")))
                    elif part.get("type") == "file" and (pdf := _decode_file(part)) is not None:
                        pdfs.append(pdf)
            (system if message.get("role") in ("system", "developer") else texts).extend(chunks)
        fmt = body.get("response_format") or {}
        js = fmt.get("json_schema") or {}
        schema = js.get("schema")
        return ParsedRequest(
            system="\n".join(system),
            texts=tuple(texts),
            pdfs=tuple(pdfs),
            schema=schema,
            purpose="classify" if js.get("name") == "zapdoc_classification" else "extract",
            model=str(body.get("model", "")),
        )

    def auto_text(self, parsed: ParsedRequest, answer: Any) -> str:
        if parsed.purpose == "classify" and isinstance(answer, str):
            return json.dumps({"doc_type": answer})
        return super().auto_text(parsed, answer)

    def _completion(self, parsed: ParsedRequest, content: str | None, finish: str) -> dict[str, Any]:
        prompt, out = parsed.prompt_tokens(), estimate_tokens(content or "")
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": parsed.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": finish,
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out},
        }

    def render_answer(self, text: str, parsed: ParsedRequest, finish: str | None) -> dict[str, Any]:
        return self._completion(parsed, text, {"MAX_TOKENS": "length"}.get(finish or "", finish or "stop"))

    def render_error(self, status: int, message: str) -> dict[str, Any]:
        return {
            "error": {"message": message, "type": _TYPES.get(status, "error"), "param": None, "code": None}
        }

    def render_safety(self, parsed: ParsedRequest) -> dict[str, Any]:
        return self._completion(parsed, None, "content_filter")


def main() -> None:
    serve_main(lambda latency: OpenAIStandIn(latency=latency), "Local OpenAI-compatible stand-in")


if __name__ == "__main__":
    main()
