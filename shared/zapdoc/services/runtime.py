"""What every pipeline service needs, passed explicitly: settings, ports, a clock and a crash hook.

The composition root (``zapdoc.bootstrap``) fills it with real adapters; unit tests fill it with
the in-memory fakes of ``zapdoc.adapters.memory``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from zapdoc.domain.clock import utcnow
from zapdoc.ports.blobs import BlobStore
from zapdoc.ports.bus import MessageBus
from zapdoc.ports.extractor import Extractor
from zapdoc.ports.mailer import Mailer
from zapdoc.ports.store import DocumentStore
from zapdoc.settings import CloudSettings


def no_crash(point: str) -> None:
    """Default crash hook: does nothing. Tests pass one that raises at a named step boundary."""


class SimulatedCrash(BaseException):
    """Raised by test crash hooks: a BaseException, so no ``except Exception`` cleanup runs."""


@dataclass
class Runtime:
    settings: CloudSettings
    store: DocumentStore
    blobs: BlobStore
    bus: MessageBus
    mailer: Mailer
    extractor_factory: Callable[[], Extractor]
    clock: Callable[[], dt.datetime] = utcnow
    crash: Callable[[str], None] = no_crash
    _extractor: Extractor | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def extractor(self) -> Extractor:
        """The provider, built on first use (no SDK client is created for functions that never call it)."""
        with self._lock:
            if self._extractor is None:
                self._extractor = self.extractor_factory()
            return self._extractor
