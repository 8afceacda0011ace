"""The ``/v1`` API: routing, authentication and the handlers, on functions-framework's request.

Handlers translate HTTP into calls of the same services the pipeline and ``zapdoc dev submit`` use
(job creation, the ledger); they hold no business rules of their own beyond request validation.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from zapdoc.api import http as H
from zapdoc.api import webapp
from zapdoc.domain import jobs as J
from zapdoc.domain.errors import ConfigError, PermanentError, TransientError, UsageError
from zapdoc.domain.fields import FieldSpec, fields_from_list, parse_fields
from zapdoc.logging import event as log_event
from zapdoc.ports.auth import InvalidToken, TokenVerifier
from zapdoc.ports.blobs import UploadSigner
from zapdoc.ports.payments import CheckoutGateway
from zapdoc.services import accounts, jobs, payments
from zapdoc.services.api_keys import PREFIX as KEY_PREFIX
from zapdoc.services.api_keys import ApiKeys
from zapdoc.services.runtime import Runtime
from zapdoc.services.templates_store import SavedTemplates, builtin_templates
from zapdoc.settings import ApiSettings, PaymentSettings

log = logging.getLogger("zapdoc.api")

CONTENT_TYPES = ("application/pdf", "application/zip", "application/x-zip-compressed")
MAX_NAME = 255
_ID = r"([A-Za-z0-9_-]{1,64})"


@dataclass
class ApiContext:
    """Everything a request needs: the pipeline runtime plus the API's own adapters."""

    rt: Runtime
    settings: ApiSettings
    verifier: TokenVerifier
    signer: UploadSigner
    gateway: CheckoutGateway
    payments: PaymentSettings = field(default_factory=PaymentSettings)

    @property
    def keys(self) -> ApiKeys:
        return ApiKeys(self.rt.store, self.rt.clock, max_keys=self.settings.max_api_keys)

    @property
    def templates(self) -> SavedTemplates:
        return SavedTemplates(self.rt.store, self.rt.clock)


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    email_verified: bool
    via: str  # "token" | "api_key"
    claims: Mapping[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------- auth


def authenticate(ctx: ApiContext, request: Request) -> Principal:
    """The caller from ``Authorization: Bearer`` (a Firebase ID token or an API key), else 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("send Authorization: Bearer <Firebase ID token or API key>")
    if token.startswith(KEY_PREFIX):
        user_id = ctx.keys.authenticate(token)
        account = accounts.get_account(ctx.rt, user_id) if user_id else None
        if user_id is None or account is None or not ctx.verifier.account_active(user_id):
            raise _unauthorized("the API key is not valid or was revoked, or its account is disabled")
        return Principal(
            user_id, str(account.get("email", "")), bool(account.get("email_verified")), "api_key"
        )
    try:
        identity = ctx.verifier.verify(token)
    except InvalidToken:
        raise _unauthorized("the ID token is not valid or has expired") from None
    account = accounts.ensure_account(
        ctx.rt,
        identity.uid,
        email=identity.email,
        email_verified=identity.email_verified,
        free_credits=ctx.settings.free_credits,
    )
    return Principal(
        identity.uid, str(account.get("email", "")), identity.email_verified, "token", identity.claims
    )


def _unauthorized(message: str) -> H.ApiError:
    return H.ApiError(401, "unauthorized", message, {"WWW-Authenticate": 'Bearer realm="zapdoc"'})


# ----------------------------------------------------------------------------------------- routing

Handler = Callable[[ApiContext, Request, Principal, tuple[str, ...]], Response]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), fn))
        return fn

    return register


def dispatch(ctx: ApiContext, request: Request) -> Response:
    """Answer one request: CORS, routing, authentication, the handler, and errors as JSON."""
    path = "/" + request.path.strip("/")
    if webapp.is_web_path(path):  # the web app, same origin as the API (README: The web app)
        return webapp.serve(request, ctx.settings)
    matches = [(m, rx, fn) for m, rx, fn in ROUTES if rx.match(path)]
    methods = sorted({m for m, _, _ in matches} | ({"OPTIONS"} if matches else set()))
    cors = H.cors_headers(request, ctx.settings.allowed_origins, ", ".join(methods) or "GET")
    try:
        if request.method == "OPTIONS":
            response = H.empty(204)
        elif not matches:
            raise H.not_found("route")
        else:
            found = [(rx, fn) for m, rx, fn in matches if m == request.method]
            if not found:
                allow = ", ".join(methods)
                raise H.ApiError(405, "method_not_allowed", f"use one of {allow}", {"Allow": allow})
            rx, fn = found[0]
            match = rx.match(path)
            assert match is not None
            principal = authenticate(ctx, request)
            response = fn(ctx, request, principal, match.groups())
    except H.ApiError as err:
        response = H.error_response(err)
    except jobs.OpenJobLimit as exc:
        response = H.error_response(H.ApiError(429, "too_many_open_jobs", str(exc), {"Retry-After": "60"}))
    except UsageError as exc:
        response = H.error_response(H.ApiError(400, "invalid_request", str(exc)))
    except TransientError as exc:
        log_event(log, "api dependency unavailable", level=logging.WARNING, error=str(exc))
        response = H.error_response(
            H.ApiError(503, "unavailable", "a dependency is unavailable; retry", {"Retry-After": "5"})
        )
    except (ConfigError, PermanentError) as exc:
        log_event(log, "api error", level=logging.ERROR, error=str(exc))
        response = H.error_response(H.ApiError(500, "internal", "the server could not handle the request"))
    for key, value in cors.items():
        response.headers[key] = value
    return response


# ------------------------------------------------------------------------------------------- jobs


def _files(body: dict[str, Any], max_bytes: int) -> list[tuple[str, int, str]]:
    files = body.get("files")
    if not isinstance(files, list) or not files:
        raise UsageError('"files" must be a non-empty list of {name, size, content_type}')
    if len(files) > jobs.MAX_FILES:
        raise UsageError(f"a job can have at most {jobs.MAX_FILES} files")
    out: list[tuple[str, int, str]] = []
    for i, item in enumerate(files):
        if not isinstance(item, dict):
            raise UsageError(f"files[{i}] must be an object")
        name, size, ctype = item.get("name"), item.get("size"), item.get("content_type")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise UsageError(f"files[{i}].name must be a non-empty string of at most {MAX_NAME} characters")
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= max_bytes:
            raise UsageError(f"files[{i}].size must be an integer from 1 to {max_bytes} bytes")
        if ctype not in CONTENT_TYPES:
            raise UsageError(f"files[{i}].content_type must be one of: {', '.join(CONTENT_TYPES)}")
        out.append((name, size, str(ctype)))
    return out


def _fields(ctx: ApiContext, user_id: str, body: dict[str, Any]) -> tuple[tuple[FieldSpec, ...], str | None]:
    fields, template = body.get("fields"), body.get("template")
    if (fields is None) == (template is None):
        raise UsageError('give exactly one of "fields" (a list or a spec string) or "template"')
    if template is not None:
        if not isinstance(template, str) or not template.strip() or len(template) > 100:
            raise UsageError('"template" must be a template name or id')
        return ctx.templates.resolve(user_id, template), template.strip()
    if isinstance(fields, str):
        return parse_fields(fields), None
    check_field_shapes(fields)
    return fields_from_list(fields), None


def check_field_shapes(fields: Any, where: str = "fields") -> None:
    """Reject wrongly typed members before the domain parses names and types (it is lenient)."""
    if not isinstance(fields, list):
        raise UsageError(f'"{where}" must be a list of field objects')
    for i, item in enumerate(fields):
        if not isinstance(item, dict):
            raise UsageError(f"{where}[{i}] must be an object")
        for key in ("name", "type", "description"):
            if key in item and not isinstance(item[key], str):
                raise UsageError(f"{where}[{i}].{key} must be a string")
        if "columns" in item:
            check_field_shapes(item["columns"], f"{where}[{i}].columns")


@route("POST", "/v1/jobs")
def create_job(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    body = H.read_json(request)
    files = _files(body, ctx.settings.max_file_bytes)
    fields, template = _fields(ctx, who.user_id, body)
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise UsageError('"options" must be an object')
    hold = body.get("hold", False)
    if not isinstance(hold, bool):
        raise UsageError('"hold" must be true or false')
    if not who.email or not who.email_verified:
        raise H.ApiError(403, "email_not_verified", "verify your email address first: results are sent there")
    webhook_url, webhook_secret = _job_webhook(ctx, who, body)
    balance = jobs.ledger(ctx.rt).balance(who.user_id)
    if not hold and balance < len(files):  # a held job is charged only when confirmed
        raise H.ApiError(
            402, "insufficient_credits", f"your balance is {balance} credits; every file needs at least one"
        )
    created = jobs.create_job(
        ctx.rt,
        user_id=who.user_id,
        email=who.email,
        filenames=[f[0] for f in files],
        fields=fields,
        template=template,
        limit_open_jobs=True,
        webhook_url=webhook_url,
        hold=hold,
    )
    uploads = []
    for declared, (_name, size, ctype) in zip(created.files, files, strict=True):
        signed = ctx.signer.sign_upload(
            bucket=ctx.rt.settings.uploads_bucket,
            name=declared.object_name,
            content_type=ctype,
            size=size,
            ttl=ctx.settings.upload_url_ttl,
        )
        uploads.append(
            {
                "file_id": declared.file_id,
                "name": declared.filename,
                "size": size,
                "content_type": ctype,
                "upload": {
                    "url": signed.url,
                    "method": signed.method,
                    "headers": signed.headers,
                    "expires_at": signed.expires_at,
                },
            }
        )
    log_event(log, "api job created", job_id=created.job_id, files=len(files), via=who.via)
    body_out = {
        "id": created.job_id,
        "status": J.JobStatus.AWAITING_FILES.value,
        "deadline_at": created.deadline_at,
        "files": uploads,
        "webhook": None,
    }
    headers = {"Location": f"/v1/jobs/{created.job_id}"}
    if webhook_url:
        hook = {"url": webhook_url}
        if webhook_secret:  # the account's first signing secret: shown here, once
            hook["secret"] = webhook_secret
            headers["Cache-Control"] = "no-store"
        body_out["webhook"] = hook
    return H.json_response(body_out, 201, headers)


def _job_webhook(ctx: ApiContext, who: Principal, body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The job's webhook URL (``webhook_url``; absent: the account's default; null: none) checked
    against the SSRF guard, and a signing secret when the account gets its first one now."""
    from zapdoc.services import webhooks

    if "webhook_url" in body and body["webhook_url"] is None:
        return None, None
    url = webhooks.job_webhook_url(
        ctx.rt, who.user_id, body.get("webhook_url"), allow_loopback=ctx.rt.settings.webhook_allow_loopback
    )
    return url, webhooks.ensure_secret(ctx.rt, who.user_id) if url else None


def _own_job(ctx: ApiContext, who: Principal, job_id: str) -> dict[str, Any]:
    snap = jobs.get_job(ctx.rt, job_id)
    if snap is None or snap.data.get("user_id") != who.user_id:
        raise H.not_found("job")  # someone else's job looks exactly like a missing one
    return snap.data


def _job_view(ctx: ApiContext, job_id: str, job: dict[str, Any], *, detail: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": job_id,
        "status": job.get("status"),
        "template": job.get("template"),
        "created_at": job.get("created_at"),
        "updated_at": job.get("updated_at"),
        "credits": {"charged": int(job.get("charged") or 0), "refunded": int(job.get("refunded") or 0)},
        "reason": job.get("reason") or None,
        "hold": bool(job.get("hold")),
        # a held job's cost once its pages are counted, before any charge (POST .../confirm)
        "quote": job.get("quote") if job.get("status") == J.JobStatus.AWAITING_CONFIRMATION else None,
        "webhook": _webhook_view(job),
    }
    if not detail:
        return view
    files = job.get("files") or {}
    view["fields"] = job.get("fields") or []
    view["deadline_at"] = job.get("deadline_at")
    view["files"] = [
        {
            "file_id": fid,
            "name": f.get("name"),
            "arrived": bool(f.get("arrived")),
            "documents": f.get("documents"),
            "pages": f.get("pages"),
        }
        for fid, f in sorted(files.items())
    ]
    docs = jobs.list_documents(ctx.rt, job_id)
    view["documents"] = [
        {
            "id": d.id,
            "name": d.data.get("name"),
            "file_id": d.data.get("file_id"),
            "status": d.data.get("status"),
            "pages": d.data.get("pages"),
            "reason": d.data.get("reason") or None,
        }
        for d in docs
    ]
    view["progress"] = {
        "files_declared": len(files),
        "files_arrived": sum(1 for f in files.values() if f.get("arrived")),
        "documents": len(docs),
        "documents_finished": sum(1 for d in docs if J.document_finished(d.data)),
        "pages": sum(int(d.data.get("pages") or 0) for d in docs),
    }
    view["download"] = None
    if job.get("status") == J.JobStatus.DELIVERED:
        ttl = ctx.settings.download_url_ttl
        url = ctx.rt.blobs.download_url(ctx.rt.settings.results_bucket, _workbook_name(job_id, job), ttl)
        view["download"] = {"url": url, "expires_at": ctx.rt.clock() + ttl}
    return view


def _webhook_view(job: dict[str, Any]) -> dict[str, Any] | None:
    """Where the job's end event goes and how its delivery went (attempts, last status)."""
    if not job.get("webhook_url"):
        return None
    delivery = job.get("webhook") or {}
    return {
        "url": job.get("webhook_url"),
        "event_id": delivery.get("event_id"),
        "state": delivery.get("state") or "waiting",  # waiting: the job has not ended yet
        "attempts": int(delivery.get("attempts") or 0),
        "last_status": delivery.get("last_status"),
        "last_error": delivery.get("last_error"),
        "last_attempt_at": delivery.get("last_attempt_at"),
        "delivered_at": delivery.get("delivered_at"),
    }


def _workbook_name(job_id: str, job: dict[str, Any]) -> str:
    return str((job.get("assembly") or {}).get("workbook") or J.results_object_name(job_id))


@route("GET", f"/v1/jobs/{_ID}")
def get_job(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    job = _own_job(ctx, who, args[0])
    return H.json_response(_job_view(ctx, args[0], job, detail=True))


@route("POST", f"/v1/jobs/{_ID}/confirm")
def confirm_job(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    from zapdoc.services.confirm import ConfirmOutcome, confirm

    _own_job(ctx, who, args[0])
    credits = H.read_json(request).get("credits")
    if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
        raise UsageError('"credits" must be the job\'s quote: the credits you accept to pay')
    outcome = confirm(ctx.rt, args[0], credits)
    job = _own_job(ctx, who, args[0])
    if outcome is ConfirmOutcome.SHORT:
        balance = jobs.ledger(ctx.rt).balance(who.user_id)
        raise H.ApiError(
            402, "insufficient_credits",
            f"the job costs {credits} credits and your balance is {balance}: buy credits, then confirm again",
        )  # fmt: skip
    if outcome is ConfirmOutcome.COST_CHANGED:
        raise H.ApiError(409, "cost_changed", f"the job costs {job.get('quote')} credits, not {credits}")
    if outcome is ConfirmOutcome.NOT_HELD:
        raise H.ApiError(409, "not_awaiting_confirmation", f"the job is {job.get('status')}")
    return H.json_response(_job_view(ctx, args[0], job, detail=True))


@route("POST", f"/v1/jobs/{_ID}/cancel")
def cancel_job(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    from zapdoc.services.confirm import cancel

    _own_job(ctx, who, args[0])
    if not cancel(ctx.rt, args[0], "cancelled by you before any charge"):
        job = _own_job(ctx, who, args[0])
        raise H.ApiError(409, "too_late", f"the job is {job.get('status')} and can no longer be cancelled")
    return H.json_response(_job_view(ctx, args[0], _own_job(ctx, who, args[0]), detail=True))


@route("GET", f"/v1/jobs/{_ID}/download")
def download_job(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    job = _own_job(ctx, who, args[0])
    if job.get("status") != J.JobStatus.DELIVERED:
        raise H.ApiError(409, "not_ready", f"the job is {job.get('status')}; the workbook is not ready")
    url = ctx.rt.blobs.download_url(
        ctx.rt.settings.results_bucket, _workbook_name(args[0], job), ctx.settings.download_url_ttl
    )
    return Response(b"", status=302, headers={"Location": url, "Cache-Control": "no-store"})


def _limit(request: Request, default: int = 20, maximum: int = 100) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise UsageError(f"limit must be an integer from 1 to {maximum}")
    return int(raw)


@route("GET", "/v1/jobs")
def list_jobs(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    page = jobs.list_jobs(ctx.rt, who.user_id, limit=_limit(request), cursor=request.args.get("cursor"))
    items = [_job_view(ctx, s.id, s.data, detail=False) for s in page.items]
    return H.json_response({"jobs": items, "next_cursor": page.cursor})


# --------------------------------------------------------------------------------------- account


@route("GET", "/v1/me")
def me(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    entries = payments.recent_entries(ctx.rt, who.user_id, limit=20)
    ledger = [
        {
            "key": e.get("key"),
            "delta": e.get("delta"),
            "balance_after": e.get("balance_after"),
            "at": e.get("at"),
            "reason": e.get("reason"),
        }
        for e in entries
    ]
    return H.json_response(
        {
            "id": who.user_id,
            "email": who.email,
            "email_verified": who.email_verified,
            "balance": jobs.ledger(ctx.rt).balance(who.user_id),
            "ledger": ledger,
        }
    )


# ------------------------------------------------------------------------------------- templates


@route("GET", "/v1/templates")
def list_templates(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    return H.json_response({"builtin": builtin_templates(), "saved": ctx.templates.list(who.user_id)})


@route("POST", "/v1/templates")
def create_template(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    body = H.read_json(request)
    check_field_shapes(body.get("fields"))
    created = ctx.templates.create(who.user_id, body.get("name"), body.get("fields"))
    return H.json_response(created, 201, {"Location": f"/v1/templates/{created['id']}"})


@route("GET", f"/v1/templates/{_ID}")
def get_template(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    found = ctx.templates.get(who.user_id, args[0])
    if found is None:
        raise H.not_found("template")
    return H.json_response(found)


@route("PUT", f"/v1/templates/{_ID}")
def replace_template(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    body = H.read_json(request)
    if ctx.templates.get(who.user_id, args[0]) is None:
        raise H.not_found("template")
    check_field_shapes(body.get("fields"))
    updated = ctx.templates.replace(who.user_id, args[0], body.get("name"), body.get("fields"))
    if updated is None:
        raise H.not_found("template")
    return H.json_response(updated)


@route("DELETE", f"/v1/templates/{_ID}")
def delete_template(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    if not ctx.templates.delete(who.user_id, args[0]):
        raise H.not_found("template")
    return H.empty(204)


# -------------------------------------------------------------------------------------- api keys


@route("POST", "/v1/api-keys")
def create_api_key(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    body = H.read_json(request)
    name = body.get("name", "API key")
    if not isinstance(name, str) or len(name) > 100:
        raise UsageError('"name" must be a string of at most 100 characters')
    new = ctx.keys.create(who.user_id, name)
    out = {"id": new.id, "name": new.name, "key": new.key, "created_at": new.created_at}
    return H.json_response(out, 201, {"Cache-Control": "no-store"})


@route("GET", "/v1/api-keys")
def list_api_keys(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    keys, cursor = ctx.keys.page(who.user_id, _limit(request), request.args.get("cursor"))
    return H.json_response({"api_keys": keys, "next_cursor": cursor})


@route("DELETE", f"/v1/api-keys/{_ID}")
def revoke_api_key(ctx: ApiContext, request: Request, who: Principal, args: tuple[str, ...]) -> Response:
    if not ctx.keys.revoke(who.user_id, args[0]):
        raise H.not_found("API key")
    return H.empty(204)


# -------------------------------------------------------------------------------------- webhooks


@route("GET", "/v1/webhook")
def get_webhook(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    from zapdoc.services import webhooks

    return H.json_response(webhooks.public_settings(ctx.rt, who.user_id))


@route("PUT", "/v1/webhook")
def put_webhook(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    """Set (or with ``"url": null`` remove) the default URL of jobs created without ``webhook_url``."""
    from zapdoc.services import webhooks

    body = H.read_json(request)
    if "url" not in body:
        raise UsageError('"url" is required: an https:// URL, or null to remove the default')
    url = webhooks.set_default_url(
        ctx.rt, who.user_id, body["url"], allow_loopback=ctx.rt.settings.webhook_allow_loopback
    )
    secret = webhooks.ensure_secret(ctx.rt, who.user_id) if url else None
    out = webhooks.public_settings(ctx.rt, who.user_id)
    if secret:  # the account's first signing secret: shown here, once
        out["secret"] = secret
    return H.json_response(out, headers={"Cache-Control": "no-store"})


@route("POST", "/v1/webhook/secret")
def rotate_webhook_secret(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    """A new signing secret, shown once; events signed from now on use it (the old one stops at once)."""
    from zapdoc.services import webhooks

    secret = webhooks.rotate_secret(ctx.rt, who.user_id)
    out = {**webhooks.public_settings(ctx.rt, who.user_id), "secret": secret}
    return H.json_response(out, 201, {"Cache-Control": "no-store"})


# -------------------------------------------------------------------------------------- checkout


@route("POST", "/v1/checkout")
def checkout(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    body = H.read_json(request)
    pack = body.get("pack")
    if not isinstance(pack, str):
        raise UsageError(f'"pack" must be one of: {", ".join(ctx.payments.packs)}')
    request_id = request.headers.get("Idempotency-Key", "")[:100] or uuid.uuid4().hex
    session = payments.start_checkout(
        ctx.gateway,
        ctx.payments.packs,
        pack_id=pack,
        user_id=who.user_id,
        email=who.email,
        success_url=ctx.payments.checkout_success_url,
        cancel_url=ctx.payments.checkout_cancel_url,
        request_id=request_id,
    )
    return H.json_response({"id": session.id, "url": session.url}, 201)


@route("GET", "/v1/packs")
def list_packs(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    return H.json_response({"packs": [p.to_dict() for p in ctx.payments.packs.values()]})


# ----------------------------------------------------------------------------------------- admin


def is_admin(settings: ApiSettings, who: Principal) -> bool:
    """Operators: a uid in ZAPDOC_ADMIN_UIDS, or an ID token whose ZAPDOC_ADMIN_CLAIM claim is true."""
    if who.user_id in settings.admin_uids:
        return True
    return bool(settings.admin_claim) and who.via == "token" and who.claims.get(settings.admin_claim) is True


@route("GET", "/v1/admin/stats")
def admin_stats(ctx: ApiContext, request: Request, who: Principal, _: tuple[str, ...]) -> Response:
    from zapdoc.services.analytics import parse_since, usage_report

    if not is_admin(ctx.settings, who):
        raise H.ApiError(
            403, "forbidden", "only operators (ZAPDOC_ADMIN_UIDS / ZAPDOC_ADMIN_CLAIM) may read usage"
        )
    try:
        since = parse_since(request.args.get("since", "7d"))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return H.json_response(usage_report(ctx.rt, since), headers={"Cache-Control": "no-store"})
