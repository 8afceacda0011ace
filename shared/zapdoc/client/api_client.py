"""A small client of the ZapDoc ``/v1`` API: create a job, upload through the signed URLs, wait for
delivery, download the workbook. Credentials come from the caller (an ID token or an API key)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zapdoc.client.report import WaitProgress
from zapdoc.domain.errors import PermanentError, TransientError, UsageError

TERMINAL = ("delivered", "rejected", "cancelled")
NOT_SIGNED_IN = (
    "not signed in: run `zapdoc login --email you@example.com` (on the local stack add --sign-up the "
    "first time), or set ZAPDOC_API_KEY to an API key made in the web app (Settings > API keys)"
)
CONTENT_TYPES = {".pdf": "application/pdf", ".zip": "application/zip"}


class ApiRefused(PermanentError):
    """The API answered with an error; ``code`` is its machine-readable code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({status} {code})")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Outcome:
    job_id: str
    status: str
    workbook: Path | None
    job: dict[str, Any]


def collect(paths: Sequence[Path]) -> list[Path]:
    """The .pdf and .zip files named or found (recursively) under the given paths."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in CONTENT_TYPES and p.is_file())
            )
        elif path.is_file():
            if path.suffix.lower() not in CONTENT_TYPES:
                raise UsageError(f"{path}: only .pdf and .zip files can be submitted")
            files.append(path)
        else:
            raise UsageError(f"{path} does not exist")
    if not files:
        raise UsageError("no .pdf or .zip files to submit")
    return files


class ZapdocClient:
    def __init__(self, api: str, credential: str, *, timeout: float = 60.0) -> None:
        import requests

        if not credential:
            raise UsageError(NOT_SIGNED_IN)
        self._api = api.rstrip("/")
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {credential}"
        self._timeout = timeout

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        try:
            resp = self._session.request(method, self._api + path, timeout=self._timeout, **kwargs)
        except requests.RequestException as exc:
            raise TransientError(f"cannot reach the API at {self._api}: {exc}") from exc
        if resp.status_code >= 400:
            try:
                error = resp.json()["error"]
                code, message = str(error["code"]), str(error["message"])
            except (ValueError, KeyError, TypeError):
                code, message = "http_error", resp.text[:200] or resp.reason
            raise ApiRefused(resp.status_code, code, message)
        return resp.json() if resp.content else None

    def admin_stats(self, since: str) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", "/v1/admin/stats", params={"since": since})
        return data

    def me(self) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", "/v1/me")
        return data

    def create_job(
        self,
        files: Sequence[Path],
        *,
        fields: str | None,
        template: str | None,
        webhook_url: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "files": [
                {"name": f.name, "size": f.stat().st_size, "content_type": CONTENT_TYPES[f.suffix.lower()]}
                for f in files
            ]
        }
        if template:
            body["template"] = template
        else:
            body["fields"] = fields
        if webhook_url:
            body["webhook_url"] = webhook_url
        data: dict[str, Any] = self._call("POST", "/v1/jobs", json=body)
        return data

    def set_webhook(self, url: str | None) -> dict[str, Any]:
        """Set (None: remove) the default webhook URL; the first time, the answer holds the secret."""
        data: dict[str, Any] = self._call("PUT", "/v1/webhook", json={"url": url})
        return data

    def rotate_webhook_secret(self) -> dict[str, Any]:
        data: dict[str, Any] = self._call("POST", "/v1/webhook/secret")
        return data

    def upload(self, upload: dict[str, Any], path: Path) -> None:
        """PUT the file to its signed URL with exactly the signed headers."""
        import requests

        resp = requests.request(
            upload["method"], upload["url"], data=path.read_bytes(), headers=upload["headers"], timeout=300
        )
        if resp.status_code >= 300:
            raise PermanentError(f"upload of {path.name} refused: {resp.status_code} {resp.text[:200]}")

    def job(self, job_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", f"/v1/jobs/{job_id}")
        return data

    def download(self, url: str, target: Path) -> Path:
        import requests

        resp = requests.get(url, timeout=300)
        if resp.status_code != 200:
            raise PermanentError(f"download failed: {resp.status_code}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(resp.content)
        return target

    def submit(
        self,
        paths: Sequence[Path],
        *,
        fields: str | None = None,
        template: str | None = None,
        wait: float = 600.0,
        output_dir: Path = Path(),
        progress: Callable[[str], None] = lambda _line: None,
        poll: float = 1.0,
    ) -> Outcome:
        """Create the job, upload every file, wait until it ends, download the workbook if delivered."""
        files = collect(paths)
        created = self.create_job(files, fields=fields, template=template)
        job_id = str(created["id"])
        progress(f"job {job_id}: uploading {len(files)} file(s)")
        for entry, path in zip(created["files"], files, strict=True):
            self.upload(entry["upload"], path)
            progress(f"  uploaded {path.name}")
        deadline = time.monotonic() + wait
        job: dict[str, Any] = {}
        waiting = WaitProgress(progress, time.monotonic)
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if job["status"] in TERMINAL:
                break
            waiting(str(job["status"]), job.get("progress") or {})
            time.sleep(poll)
        status = str(job.get("status", "unknown"))
        workbook = None
        if status == "delivered" and job.get("download"):
            workbook = self.download(job["download"]["url"], output_dir / f"zapdoc-{job_id}.xlsx")
        return Outcome(job_id, status, workbook, job)
