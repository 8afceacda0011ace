"""Any OpenAI-compatible ``chat/completions`` endpoint (OpenAI, llama.cpp, vLLM, Ollama) through the
``openai`` package: the only module importing it. Same schema, prompts and validation as Gemini.
"""

from __future__ import annotations

import base64
import threading
from typing import Any

from zapdoc.domain.documents import DOC_TYPES
from zapdoc.domain.errors import ConfigError, PermanentError
from zapdoc.ports.llm import (
    RETRYABLE_STATUS,
    JsonSchema,
    LlmReply,
    LlmRequest,
    PdfPart,
    ProviderError,
    RetryableError,
)
from zapdoc.settings import LlmSettings, is_loopback


def strict_schema(schema: JsonSchema) -> JsonSchema:
    """The same schema as OpenAI's strict structured outputs want it: every property required, scalars
    nullable (so "absent" can still be said), no additional properties."""
    out = dict(schema)
    kind = out.get("type")
    if kind == "object":
        props = {k: strict_schema(v) for k, v in (out.get("properties") or {}).items()}
        out["properties"] = props
        out["required"] = list(props)
        out["additionalProperties"] = False
    elif kind == "array":
        if isinstance(out.get("items"), dict):
            out["items"] = strict_schema(out["items"])
    elif isinstance(kind, str) and "enum" not in out:
        out["type"] = [kind, "null"]
        out.pop("format", None)  # strict mode accepts only a few formats; the validator checks anyway
    return out


def classification_object_schema() -> JsonSchema:
    """The same enum wrapped in an object, for providers whose JSON mode needs an object."""
    return {
        "type": "object",
        "properties": {"doc_type": {"type": "string", "enum": list(DOC_TYPES)}},
        "required": ["doc_type"],
        "additionalProperties": False,
    }


class OpenAIBackend:
    """One ``chat.completions.create`` call per request with a strict JSON-schema response format."""

    def __init__(self, settings: LlmSettings, model: str | None = None) -> None:
        if not settings.openai_api_key and not is_loopback(settings.openai_base_url):
            raise ConfigError(
                "the openai provider needs an API key: set ZAPDOC_OPENAI_API_KEY (or OPENAI_API_KEY), "
                "or point ZAPDOC_OPENAI_BASE_URL at a local server"
            )
        self.settings = settings
        self.model = model or settings.openai_model
        self._client: Any = None
        self._lock = threading.Lock()

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                import openai

                self._client = openai.OpenAI(
                    base_url=self.settings.openai_base_url,
                    api_key=key.get_secret_value() if (key := self.settings.openai_api_key) else "local",
                    timeout=self.settings.timeout_s,
                    max_retries=0,
                )
            return self._client

    def _messages(self, request: LlmRequest) -> list[dict[str, Any]]:
        if all(isinstance(p, str) for p in request.parts):
            content: Any = "\n".join(p for p in request.parts if isinstance(p, str))
        else:
            content = []
            for p in request.parts:
                if isinstance(p, PdfPart):
                    data = base64.b64encode(p.data).decode("ascii")
                    content.append(
                        {
                            "type": "file",
                            "file": {
                                "filename": f"pages-{p.first_page}.pdf",
                                "file_data": f"data:application/pdf;base64,{data}",
                            },
                        }
                    )
                else:
                    content.append({"type": "text", "text": p})
        return [{"role": "system", "content": request.system}, {"role": "user", "content": content}]

    def generate(self, request: LlmRequest) -> LlmReply:
        import openai

        if request.purpose == "classify":
            name, schema = "zapdoc_classification", classification_object_schema()
        else:
            name, schema = "zapdoc_extraction", strict_schema(request.schema)
        try:
            response = self.client().chat.completions.create(
                model=self.model,
                messages=self._messages(request),
                temperature=0,
                max_completion_tokens=request.max_output_tokens,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": schema, "strict": True},
                },
            )
        except openai.APIStatusError as exc:
            detail = f"{self.model} answered {exc.status_code}: {exc.message}"
            if exc.status_code in RETRYABLE_STATUS:
                raise RetryableError(detail, status=exc.status_code) from exc
            if exc.status_code in (401, 402, 403, 404):  # key, billing, access, model: provider-side
                raise ProviderError(detail) from exc
            raise PermanentError(detail) from exc
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise RetryableError(
                f"{self.model} did not answer in time or the connection failed ({exc})"
            ) from exc
        if not response.choices:
            raise ProviderError(f"{self.model} returned no answer")
        choice = response.choices[0]
        message = choice.message
        if choice.finish_reason == "content_filter" or getattr(message, "refusal", None):
            reason = getattr(message, "refusal", None) or "content filter"
            raise ProviderError(f"{self.model} refused to answer ({reason})", health=False)
        usage = response.usage
        text = message.content or ""
        truncated = choice.finish_reason == "length"
        if not text and not truncated:
            raise ProviderError(f"{self.model} returned an empty answer")
        return LlmReply(
            text=text,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            truncated=truncated,
        )
