"""LLM extraction: settings, response schema, prompt, validation, chunking, retries and provider choice.

No SDK is imported here; the Gemini and OpenAI clients live in ``zapdoc.adapters``.
"""
