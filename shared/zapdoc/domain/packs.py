"""Credit packs for sale (the ``ZAPDOC_CREDIT_PACKS`` setting): ``id:credits:amount_minor:currency,...``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from zapdoc.domain.errors import ConfigError

DEFAULT_PACKS = "starter:100:500:eur,standard:500:2000:eur,pro:2000:6000:eur"


@dataclass(frozen=True)
class Pack:
    """A credit pack for sale: ``credits`` for ``amount`` (minor units) of ``currency``."""

    id: str
    credits: int
    amount: int
    currency: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_packs(spec: str) -> dict[str, Pack]:
    """Parse ``id:credits:amount_minor:currency,...`` (the ``ZAPDOC_CREDIT_PACKS`` setting)."""
    packs: dict[str, Pack] = {}
    for item in (p.strip() for p in spec.split(",")):
        if not item:
            continue
        parts = item.split(":")
        if len(parts) != 4 or not parts[0] or not parts[1].isdigit() or not parts[2].isdigit():
            raise ConfigError(f"ZAPDOC_CREDIT_PACKS item {item!r} must be id:credits:amount:currency")
        pack = Pack(parts[0], int(parts[1]), int(parts[2]), parts[3].lower())
        if pack.credits <= 0 or pack.amount <= 0 or len(pack.currency) != 3:
            raise ConfigError(f"ZAPDOC_CREDIT_PACKS item {item!r} needs positive numbers and a currency")
        packs[pack.id] = pack
    if not packs:
        raise ConfigError("ZAPDOC_CREDIT_PACKS defines no pack")
    return packs
