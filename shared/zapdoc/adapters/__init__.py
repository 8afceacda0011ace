"""Adapters: the only modules that import cloud SDKs (google-cloud-*, google-genai, openai, sendgrid, stripe)."""
