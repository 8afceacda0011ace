"""The provider-neutral LLM engine: response schema, prompt, validation, page ranges, retries, provider
choice, the fallback chain and its circuit breaker, usage.

No SDK is imported here: each provider implements ``zapdoc.ports.llm.LlmBackend`` in ``zapdoc.adapters``
and ``zapdoc.bootstrap`` composes the engine with it.
"""
