"""Gemini on Vertex AI through the ``google-genai`` SDK (``vertexai=True``): the only module importing it.

The base URL is a setting (``ZAPDOC_GEMINI_BASE_URL``) so the real SDK code path runs against the local
stand-in; a loopback base URL gets a static local token instead of Application Default Credentials.
SDK retries are off: ``zapdoc.llm.retry`` owns backoff so its bounds hold across providers.
"""

from __future__ import annotations

import threading
from typing import Any

from zapdoc.domain.errors import ConfigError, PermanentError
from zapdoc.ports.llm import RETRYABLE_STATUS, LlmReply, LlmRequest, PdfPart, ProviderError, RetryableError
from zapdoc.settings import LlmSettings, is_loopback

_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
_REFUSALS = {
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "LANGUAGE",
}
_PROVIDER_SIDE = {401, 403, 404}
"""Access refused, model not found or not enabled: this provider cannot serve any document now."""
_PROVIDER_SIDE_STATUS = {"FAILED_PRECONDITION", "PERMISSION_DENIED", "UNAUTHENTICATED", "NOT_FOUND"}
"""400 FAILED_PRECONDITION is e.g. billing disabled or a region without the model: not the input's fault."""
_NETWORK_ERRORS = {
    "TimeoutException",
    "ConnectError",
    "NetworkError",
    "RemoteProtocolError",
    "TransportError",
}


def _is_network_error(exc: BaseException) -> bool:
    return any(cls.__name__ in _NETWORK_ERRORS for cls in type(exc).__mro__) or isinstance(
        exc, TimeoutError | ConnectionError
    )


def _enum_name(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


class GeminiBackend:
    """One ``generateContent`` call per request; the client is built on first use and reused."""

    def __init__(self, settings: LlmSettings, model: str | None = None, client: Any = None) -> None:
        if not settings.gcp_project:
            raise ConfigError(
                "the gemini provider needs a Google Cloud project: "
                "set GOOGLE_CLOUD_PROJECT (or ZAPDOC_GCP_PROJECT)"
            )
        self.settings = settings
        self.model = model or settings.gemini_model
        self._client: Any = client
        self._lock = threading.Lock()

    def credentials(self) -> Any:
        """A static token for loopback stand-ins; otherwise Application Default Credentials (fail fast)."""
        if is_loopback(self.settings.gemini_base_url):
            from google.oauth2.credentials import Credentials

            return Credentials(token="local")  # type: ignore[no-untyped-call]  # noqa: S106  # stand-in token
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            creds, _ = google.auth.default(scopes=_SCOPES)
        except DefaultCredentialsError as exc:
            raise ConfigError(
                "the gemini provider found no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS to a "
                "service-account key file or run `gcloud auth application-default login` "
                f"(or point ZAPDOC_GEMINI_BASE_URL at a local stand-in) [{exc}]"
            ) from None
        return creds

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                from google import genai
                from google.genai import types

                self._client = genai.Client(
                    vertexai=True,
                    project=self.settings.gcp_project,
                    location=self.settings.gcp_location,
                    credentials=self.credentials(),
                    http_options=types.HttpOptions(
                        base_url=self.settings.gemini_base_url,
                        timeout=max(1, int(self.settings.timeout_s * 1000)),
                        retry_options=types.HttpRetryOptions(attempts=1),
                    ),
                )
            return self._client

    def _config(self, request: LlmRequest) -> Any:
        from google.genai import types

        thinking = None
        level = self.settings.gemini_thinking_level
        if level and self.model.startswith("gemini-3"):
            thinking = types.ThinkingConfig(thinking_level=level)
        elif self.model.startswith("gemini-2.5-flash"):
            thinking = types.ThinkingConfig(thinking_budget=0)
        if request.purpose == "classify":
            return types.GenerateContentConfig(
                system_instruction=request.system,
                temperature=0,
                response_mime_type="text/x.enum",
                response_schema={"type": "STRING", "enum": request.schema["enum"]},
                max_output_tokens=request.max_output_tokens,
                thinking_config=thinking,
            )
        return types.GenerateContentConfig(
            system_instruction=request.system,
            temperature=0,
            response_mime_type="application/json",
            response_json_schema=request.schema,
            max_output_tokens=request.max_output_tokens,
            thinking_config=thinking,
        )

    def generate(self, request: LlmRequest) -> LlmReply:
        from google.genai import errors, types

        parts = [
            types.Part.from_bytes(data=p.data, mime_type="application/pdf")
            if isinstance(p, PdfPart)
            else types.Part.from_text(text=p)
            for p in request.parts
        ]
        try:
            response = self.client().models.generate_content(
                model=self.model,
                contents=[types.Content(role="user", parts=parts)],
                config=self._config(request),
            )
        except errors.APIError as exc:
            detail = f"Gemini answered {exc.code} {exc.status or ''}: {exc.message or ''}".strip()
            if exc.code in RETRYABLE_STATUS:
                raise RetryableError(detail, status=exc.code) from exc
            if exc.code in _PROVIDER_SIDE or (exc.status or "") in _PROVIDER_SIDE_STATUS:
                raise ProviderError(detail) from exc
            raise PermanentError(detail) from exc
        except Exception as exc:
            if _is_network_error(exc):
                raise RetryableError(
                    f"Gemini did not answer in time or the connection failed ({exc!r})"
                ) from exc
            raise
        return _reply(response)


def _reply(response: Any) -> LlmReply:
    """Text, usage and refusals of a ``GenerateContentResponse``."""
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason:
        reason = _enum_name(feedback.block_reason)
        message = f": {feedback.block_reason_message}" if feedback.block_reason_message else ""
        raise ProviderError(f"Gemini blocked the document ({reason}{message})", health=False)
    candidates = response.candidates or []
    if not candidates:
        raise ProviderError("Gemini returned no answer")
    candidate = candidates[0]
    finish = _enum_name(candidate.finish_reason)
    if finish in _REFUSALS:
        raise ProviderError(f"Gemini refused to answer (finish reason {finish})", health=False)
    content = candidate.content
    text = "".join(p.text for p in (content.parts or []) if p.text and not p.thought) if content else ""
    meta = response.usage_metadata
    prompt_tokens = (meta.prompt_token_count or 0) if meta else 0
    output_tokens = ((meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0)) if meta else 0
    if not text and finish != "MAX_TOKENS":
        raise ProviderError(f"Gemini returned an empty answer (finish reason {finish or 'none'})")
    return LlmReply(
        text=text, prompt_tokens=prompt_tokens, output_tokens=output_tokens, truncated=finish == "MAX_TOKENS"
    )


class GeminiEscalation(GeminiBackend):
    """The stronger model, sharing the first backend's client (one connection pool, one credential)."""

    def __init__(self, base: GeminiBackend, model: str) -> None:
        super().__init__(base.settings, model)
        self._base = base

    def client(self) -> Any:
        return self._base.client()
