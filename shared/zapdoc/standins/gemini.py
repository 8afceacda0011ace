"""A local Gemini stand-in speaking the Vertex AI REST API
(``POST /v1beta1/projects/P/locations/L/publishers/google/models/M:generateContent``).

Run in-process (``GeminiStandIn().start()`` returns the base URL for ``ZAPDOC_GEMINI_BASE_URL``) or as
``python -m zapdoc.standins.gemini --port P`` for the local stack.
"""

from __future__ import annotations

import re
from typing import Any

from zapdoc.llm.prompt import estimate_tokens
from zapdoc.standins._base import ParsedRequest, StandInServer, decode_b64, serve_main

_PATH_RE = re.compile(
    r"^/v1(?:beta1)?/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/google/models/(?P<model>[^/:]+):generateContent(?:\?.*)?$"
)
_STATUS = {
    400: "INVALID_ARGUMENT",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def _texts(content: Any) -> list[str]:
    parts = content.get("parts", []) if isinstance(content, dict) else []
    return [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]


class GeminiStandIn(StandInServer):
    """Answers ``generateContent`` like Vertex AI does, with ``usageMetadata`` counted from sizes."""

    def parse(self, path: str, body: dict[str, Any]) -> ParsedRequest | None:
        m = _PATH_RE.match(path)
        if not m:
            return None
        texts: list[str] = []
        pdfs: list[bytes] = []
        for content in body.get("contents", []):
            for part in content.get("parts", []):
                if isinstance(part.get("text"), str):
                    texts.append(part["text"])
                inline = part.get("inlineData") or part.get("inline_data")
                if inline and "pdf" in str(inline.get("mimeType") or inline.get("mime_type")):
                    pdfs.append(decode_b64(inline["data"]))
        config = body.get("generationConfig", {})
        mime = config.get("responseMimeType", "")
        schema = config.get("responseJsonSchema") or config.get("responseSchema")
        return ParsedRequest(
            system="\n".join(_texts(body.get("systemInstruction"))),
            texts=tuple(texts),
            pdfs=tuple(pdfs),
            schema=schema,
            purpose="classify" if mime == "text/x.enum" else "extract",
            model=m["model"],
        )

    def _usage(self, parsed: ParsedRequest, output: str) -> dict[str, int]:
        prompt, out = parsed.prompt_tokens(), estimate_tokens(output)
        return {"promptTokenCount": prompt, "candidatesTokenCount": out, "totalTokenCount": prompt + out}

    def render_answer(self, text: str, parsed: ParsedRequest, finish: str | None) -> dict[str, Any]:
        return {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": finish or "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": self._usage(parsed, text),
            "modelVersion": parsed.model,
        }

    def render_error(self, status: int, message: str) -> dict[str, Any]:
        return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}

    def render_safety(self, parsed: ParsedRequest) -> dict[str, Any]:
        return {
            "candidates": [
                {
                    "finishReason": "SAFETY",
                    "index": 0,
                    "safetyRatings": [
                        {
                            "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                            "probability": "HIGH",
                            "blocked": True,
                        }
                    ],
                }
            ],
            "usageMetadata": self._usage(parsed, ""),
            "modelVersion": parsed.model,
        }


def main() -> None:
    serve_main(lambda latency: GeminiStandIn(latency=latency), "Local Gemini (Vertex AI) stand-in")


if __name__ == "__main__":
    main()
