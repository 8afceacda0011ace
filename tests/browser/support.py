"""Helpers of the browser tests: users on the stack's Auth emulator, test documents, keyboard moves."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import requests

from tests.badinputs import password_pdf, png_as_pdf
from tests.pdfs import make_pdf

PASSWORD = "correct-horse-42"


@dataclass
class User:
    email: str
    password: str
    uid: str = ""


def new_email(tag: str = "web") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def verified_user(auth_url: str, project: str) -> User:
    """A user with a verified email, made on the Auth emulator's REST API (for tests whose subject is
    not the sign-up itself)."""
    user = User(new_email(), PASSWORD)
    base = f"{auth_url}/identitytoolkit.googleapis.com/v1"
    creds = {"email": user.email, "password": user.password, "returnSecureToken": True}
    data = requests.post(f"{base}/accounts:signUp?key=local-dev-key", json=creds, timeout=30).json()
    user.uid = str(data["localId"])
    requests.post(
        f"{base}/projects/{project}/accounts:update",
        headers={"Authorization": "Bearer owner"},
        json={"localId": user.uid, "emailVerified": True},
        timeout=30,
    ).raise_for_status()
    return user


def id_token(auth_url: str, user: User) -> str:
    base = f"{auth_url}/identitytoolkit.googleapis.com/v1"
    creds = {"email": user.email, "password": user.password, "returnSecureToken": True}
    data = requests.post(f"{base}/accounts:signInWithPassword?key=local-dev-key", json=creds, timeout=30)
    return str(data.json()["idToken"])


def invoice_pdf(number: int, *, pages: int = 1) -> bytes:
    """A text-layer invoice with a distinct number, vendor and total (one text block per page)."""
    first = (
        f"INVOICE\nInvoice number: WEB-{number:04d}\nInvoice date: 2024-05-{number % 28 + 1:02d}\n"
        f"Vendor: Browser Test Supplies {number} Ltd\nTotal: {100 + number}.50 EUR"
    )
    return make_pdf([first] + [f"Terms and conditions, page {i + 2}" for i in range(pages - 1)])


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def bad_files() -> list[tuple[str, bytes]]:
    return [password_pdf(), png_as_pdf()]


def payload(name: str, data: bytes, mime: str = "application/pdf") -> dict[str, Any]:
    """A file for Playwright's ``set_input_files`` (from memory: nothing written to disk)."""
    return {"name": name, "mimeType": mime, "buffer": data}
