"""The wall clock every default reads: timezone-aware UTC (services take a ``clock`` to replace it)."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
