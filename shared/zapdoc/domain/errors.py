"""Error taxonomy shared by the CLI and the functions.

``PermanentError``: the input or request cannot succeed however often it is retried (record the reason,
acknowledge, refund). ``TransientError``: a dependency failed in a way that may pass (raise, redeliver).
``UsageError``: the caller asked for something invalid (CLI exit 2, HTTP 400).
"""

from __future__ import annotations


class ZapdocError(Exception):
    """Base class: every error we raise on purpose carries a message a user can act on."""


class UsageError(ZapdocError):
    """Invalid arguments or request: fix the call."""


class PermanentError(ZapdocError):
    """Retrying cannot help: the document or request is bad, or the provider refused it for good."""


class InputError(PermanentError):
    """A file or archive entry that cannot be processed (not a PDF, encrypted, corrupt, too big...)."""


class TransientError(ZapdocError):
    """A dependency failed in a way that may pass: retry later."""


class ConfigError(ZapdocError):
    """A required setting is missing or invalid; the message names the variable."""
