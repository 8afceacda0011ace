"""A user's saved field lists (``users/<uid>/templates/<id>``), usable wherever a built-in template is."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import FieldSpec, fields_from_list, fields_to_list
from zapdoc.domain.templates import TEMPLATES
from zapdoc.ports.store import Create, DocumentStore, Query, Remove, Update
from zapdoc.services.ledger import user_path
from zapdoc.services.quotas import LimitReached, QuotaExceeded, Slots

MAX_TEMPLATES = 100
ID_PREFIX = "tpl_"


class UnknownTemplate(UsageError):
    """A job names a template that is neither built in nor one of the user's (the API answers 404)."""


def template_path(user_id: str, template_id: str) -> str:
    return f"{user_path(user_id)}/templates/{template_id}"


def _slots(store: DocumentStore, user_id: str) -> Slots:
    return Slots(store, f"{user_path(user_id)}/quota_templates", MAX_TEMPLATES)


def _valid_id(template_id: str) -> bool:
    rest = template_id[len(ID_PREFIX) :]
    return (
        template_id.startswith(ID_PREFIX) and len(rest) == 16 and all(c in "0123456789abcdef" for c in rest)
    )


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise UsageError('a template needs a "name" of 1 to 100 characters')
    return " ".join(name.split())


def view(template_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": data.get("name", ""),
        "fields": data.get("fields", []),
        "created_at": data.get("created_at"),
        "updated_at": data.get("updated_at"),
    }


class SavedTemplates:
    def __init__(self, store: DocumentStore, clock: Callable[[], dt.datetime]) -> None:
        self._store = store
        self._clock = clock

    def list(self, user_id: str) -> list[dict[str, Any]]:
        # At most MAX_TEMPLATES exist (slot documents hold the limit; deleted ones are gone): a bounded read.
        snaps = self._store.query(Query(f"{user_path(user_id)}/templates", limit=MAX_TEMPLATES + 1))
        return sorted((view(s.id, s.data) for s in snaps), key=lambda v: str(v["name"]).lower())

    def get(self, user_id: str, template_id: str) -> dict[str, Any] | None:
        if not _valid_id(template_id):
            return None
        snap = self._store.get(template_path(user_id, template_id))
        return view(snap.id, snap.data) if snap else None

    def create(self, user_id: str, name: Any, fields: Any) -> dict[str, Any]:
        specs = fields_from_list(fields)
        too_many = LimitReached(f"at most {MAX_TEMPLATES} saved templates")
        if len(self.list(user_id)) >= MAX_TEMPLATES:
            raise too_many
        template_id = ID_PREFIX + secrets.token_hex(8)
        now = self._clock()
        data = {
            "name": _clean_name(name),
            "fields": fields_to_list(specs),
            "created_at": now,
            "updated_at": now,
        }
        path = template_path(user_id, template_id)
        try:  # the slot makes the limit hold under concurrent creates (see services.quotas)
            _slots(self._store, user_id).claim(
                template_id, lambda slot: [Create(path, {**data, "slot": slot})]
            )
        except QuotaExceeded:
            raise too_many from None
        return view(template_id, data)

    def replace(self, user_id: str, template_id: str, name: Any, fields: Any) -> dict[str, Any] | None:
        if self.get(user_id, template_id) is None:
            return None
        specs = fields_from_list(fields)
        changes = {"name": _clean_name(name), "fields": fields_to_list(specs), "updated_at": self._clock()}
        self._store.commit([Update(template_path(user_id, template_id), changes)])
        return self.get(user_id, template_id)

    def delete(self, user_id: str, template_id: str) -> bool:
        snap = self._store.get(template_path(user_id, template_id)) if _valid_id(template_id) else None
        if snap is None:
            return False
        free = _slots(self._store, user_id).release(snap.data.get("slot"))
        self._store.commit([Remove(template_path(user_id, template_id)), *free])
        return True

    def resolve(self, user_id: str, name_or_id: str) -> tuple[FieldSpec, ...]:
        """Fields of a built-in template (by name) or of one of the user's saved ones (by id)."""
        key = name_or_id.strip().lower()
        if key in TEMPLATES:
            return TEMPLATES[key][1]
        saved = self.get(user_id, name_or_id.strip())
        if saved is None:
            raise UnknownTemplate(
                f"unknown template {name_or_id!r}: use a built-in name or one of your template ids"
            )
        return fields_from_list(saved["fields"])


def builtin_templates() -> list[dict[str, Any]]:
    return [
        {"id": name, "name": name, "description": summary, "fields": fields_to_list(fields), "builtin": True}
        for name, (summary, fields) in TEMPLATES.items()
    ]
