"""Adapters: the only modules that import cloud SDKs.

google-cloud-*, google-genai, openai, sendgrid, stripe and firebase-admin are imported here and nowhere else.
"""
