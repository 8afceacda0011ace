"""Classify one document: see ``zapdoc.services.extract.classify_document`` (shares loading and retries)."""

from __future__ import annotations

from zapdoc.services.extract import StepOutcome, classify_document

__all__ = ["StepOutcome", "classify_document"]
