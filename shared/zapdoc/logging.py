"""Structured JSON logs in Cloud Logging's format, with per-invocation job/document ids.

Each function invocation runs inside ``invocation(...)``: the ids bound there (and by ``bind``) appear on
every line logged until the invocation ends, then they are cleared so the next event starts clean.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any, TextIO

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("zapdoc_log_context", default={})  # noqa: B039

_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


def bind(**ids: str | None) -> None:
    """Add ids (``job_id``, ``document_id`` ...) to every following line of this invocation."""
    current = dict(_context.get())
    current.update({k: str(v) for k, v in ids.items() if v is not None})
    _context.set(current)


def clear() -> None:
    _context.set({})


def current() -> dict[str, str]:
    return dict(_context.get())


@contextlib.contextmanager
def invocation(**ids: str | None) -> Iterator[None]:
    """Scope of one event or request: starts with only ``ids`` bound and clears them at the end."""
    token = _context.set({k: str(v) for k, v in ids.items() if v is not None})
    try:
        yield
    finally:
        _context.reset(token)
        clear()


class CloudJsonFormatter(logging.Formatter):
    """One JSON object per line: ``severity``, ``message``, ``time``, the bound ids and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        ids = _context.get()
        entry: dict[str, Any] = {
            "severity": _SEVERITY.get(record.levelno, "DEFAULT"),
            "message": record.getMessage(),
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "logger": record.name,
            **ids,
        }
        if ids:
            entry["logging.googleapis.com/labels"] = dict(ids)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


_HANDLER_NAME = "zapdoc-json"


def setup(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Install the JSON handler on the root logger once (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(CloudJsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a line with structured fields (e.g. a state change: ``state="delivered"``)."""
    logger.log(level, message, extra={"fields": fields})
