"""Local stand-ins for the LLM providers (Gemini on Vertex AI, OpenAI-compatible chat/completions).

Threaded loopback HTTP servers that speak the providers' REST APIs, so the real SDK code paths run in
tests and in the local stack. Scriptable (answers, malformed JSON, 429/500, safety blocks, latency) and
able to answer from the prompt with the offline extractor.
"""

from zapdoc.standins._base import Step, answer_json, answer_text, auto, error, safety

__all__ = ["Step", "answer_json", "answer_text", "auto", "error", "safety"]
