"""The ``/v1`` API: the route table, authentication and the handlers, on functions-framework's request.

Handlers translate HTTP into calls of the same services the pipeline and ``zapdoc dev submit`` use
(job creation, the ledger); bodies and query strings arrive as the pydantic models of
``zapdoc.api.models`` (validated there), answers leave through the route's response model.
``ROUTES`` is also what ``openapi/openapi.yaml`` is generated from (``make openapi``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from zapdoc.api import http as H
from zapdoc.api import models as M
from zapdoc.api import webapp
from zapdoc.api.http import Call, Header, Reply, Route
from zapdoc.domain import job_model
from zapdoc.domain.errors import ConfigError, PermanentError, TransientError, UsageError
from zapdoc.domain.fields import FieldSpec, fields_from_list, parse_fields
from zapdoc.domain.records import AssemblyFields, DocFields, FileFields, JobFields, WebhookFields
from zapdoc.logging import event as log_event
from zapdoc.ports.auth import InvalidToken, TokenVerifier
from zapdoc.ports.blobs import UploadSigner
from zapdoc.ports.payments import CheckoutGateway
from zapdoc.services import accounts, jobs, payments
from zapdoc.services.api_keys import PREFIX as KEY_PREFIX
from zapdoc.services.api_keys import ApiKeys
from zapdoc.services.quotas import LimitReached
from zapdoc.services.runtime import Runtime
from zapdoc.services.templates_store import SavedTemplates, UnknownTemplate, builtin_templates
from zapdoc.settings import ApiSettings, PaymentSettings

log = logging.getLogger("zapdoc.api")


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


# ---------------------------------------------------------------------------------------- dispatch


def dispatch(ctx: ApiContext, request: Request) -> Response:
    """Answer one request: CORS, routing, authentication, the body and query models, the handler, the
    response model, and errors as JSON."""
    path = "/" + request.path.strip("/")
    if webapp.is_web_path(path):  # the web app, same origin as the API (README: The web app)
        return webapp.serve(request, ctx.settings)
    methods = H.allowed_methods(URL_MAP, path)
    cors = H.cors_headers(request, ctx.settings.allowed_origins, ", ".join(methods) or "GET")
    try:
        if request.method == "OPTIONS" and methods:  # the CORS preflight: no credentials are sent
            response = H.empty(204, {"Allow": ", ".join(methods)})
        else:
            route, args = H.match(URL_MAP, path, request.method)
            response = serve(ctx, route, request, args)
    except H.ApiError as err:
        response = H.error_response(err)
    except UnknownTemplate as exc:
        response = H.error_response(H.ApiError(404, "not_found", str(exc)))
    except LimitReached as exc:
        response = H.error_response(H.ApiError(409, "limit_reached", str(exc)))
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


def serve(ctx: ApiContext, route: Route, request: Request, args: dict[str, str]) -> Response:
    who = authenticate(ctx, request)
    body = query = None
    if route.body is not None:
        raw = H.read_json(request)
        body = H.parse(route.body, raw, {"allow_loopback": ctx.rt.settings.webhook_allow_loopback})
    if route.query is not None:
        query = H.query_of(route.query, request)
    answer = route.handler(ctx, Call(request, who, args, body, query))
    if isinstance(answer, Response):
        return answer
    assert route.response is not None
    return H.json_response(M.dump(route.response, answer.data), route.status, answer.headers)


# ------------------------------------------------------------------------------------------- jobs


def _fields(
    ctx: ApiContext, user_id: str, body: M.JobCreateRequest
) -> tuple[tuple[FieldSpec, ...], str | None]:
    if body.template is not None:
        return ctx.templates.resolve(user_id, body.template), body.template.strip()
    if isinstance(body.fields, str):
        return parse_fields(body.fields), None
    return fields_from_list([f.model_dump(exclude_unset=True, exclude_none=True) for f in body.fields]), None


def create_job(ctx: ApiContext, call: Call) -> Reply:
    who, body = call.who, call.body
    assert isinstance(body, M.JobCreateRequest)
    max_bytes = ctx.settings.max_file_bytes
    for i, f in enumerate(body.files):  # the model allows the default; a deployment may allow less
        if f.size > max_bytes:
            raise UsageError(f"files[{i}].size must be an integer from 1 to {max_bytes} bytes")
    fields, template = _fields(ctx, who.user_id, body)
    if not who.email or not who.email_verified:
        raise H.ApiError(403, "email_not_verified", "verify your email address first: results are sent there")
    webhook_url, webhook_secret = _job_webhook(ctx, who, body)
    balance = jobs.ledger(ctx.rt).balance(who.user_id)
    if not body.hold and balance < len(body.files):  # a held job is charged only when confirmed
        raise H.ApiError(
            402, "insufficient_credits", f"your balance is {balance} credits; every file needs at least one"
        )
    created = jobs.create_job(
        ctx.rt,
        user_id=who.user_id,
        email=who.email,
        filenames=[f.name for f in body.files],
        fields=fields,
        template=template,
        limit_open_jobs=True,
        webhook_url=webhook_url,
        hold=body.hold,
    )
    uploads = []
    for declared, f in zip(created.files, body.files, strict=True):
        signed = ctx.signer.sign_upload(
            bucket=ctx.rt.settings.uploads_bucket,
            name=declared.object_name,
            content_type=f.content_type,
            size=f.size,
            ttl=ctx.settings.upload_url_ttl,
        )
        uploads.append(
            {
                "file_id": declared.file_id,
                "name": declared.filename,
                "size": f.size,
                "content_type": f.content_type,
                "upload": {
                    "url": signed.url,
                    "method": signed.method,
                    "headers": signed.headers,
                    "expires_at": signed.expires_at,
                },
            }
        )
    log_event(log, "api job created", job_id=created.job_id, files=len(uploads), via=who.via)
    body_out: dict[str, Any] = {
        "id": created.job_id,
        "status": job_model.JobStatus.AWAITING_FILES.value,
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
    return Reply(body_out, headers)


def _job_webhook(ctx: ApiContext, who: Principal, body: M.JobCreateRequest) -> tuple[str | None, str | None]:
    """The job's webhook URL (``webhook_url``; absent: the account's default; null: none) checked
    against the SSRF guard, and a signing secret when the account gets its first one now."""
    from zapdoc.services import webhooks

    if "webhook_url" in body.model_fields_set and body.webhook_url is None:
        return None, None
    url = webhooks.job_webhook_url(
        ctx.rt, who.user_id, body.webhook_url, allow_loopback=ctx.rt.settings.webhook_allow_loopback
    )
    return url, webhooks.ensure_secret(ctx.rt, who.user_id) if url else None


def _own_job(ctx: ApiContext, who: Principal, job_id: str) -> dict[str, Any]:
    snap = jobs.get_job(ctx.rt, job_id)
    if snap is None or snap.data.get(JobFields.USER_ID) != who.user_id:
        raise H.not_found("job")  # someone else's job looks exactly like a missing one
    return snap.data


def _job_view(ctx: ApiContext, job_id: str, job: dict[str, Any], *, detail: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": job_id,
        "status": job.get(JobFields.STATUS),
        "template": job.get(JobFields.TEMPLATE),
        "created_at": job.get(JobFields.CREATED_AT),
        "updated_at": job.get(JobFields.UPDATED_AT),
        "credits": {
            "charged": int(job.get(JobFields.CHARGED) or 0),
            "refunded": int(job.get(JobFields.REFUNDED) or 0),
        },
        "reason": job.get(JobFields.REASON) or None,
        "hold": bool(job.get(JobFields.HOLD)),
        # a held job's cost once its pages are counted, before any charge (POST .../confirm)
        "quote": job.get(JobFields.QUOTE)
        if job.get(JobFields.STATUS) == job_model.JobStatus.AWAITING_CONFIRMATION
        else None,
        "webhook": _webhook_view(job),
    }
    if not detail:
        return view
    files = job.get(JobFields.FILES) or {}
    view["fields"] = job.get(JobFields.FIELDS) or []
    view["deadline_at"] = job.get(JobFields.DEADLINE_AT)
    view["files"] = [
        {
            "file_id": fid,
            "name": f.get(FileFields.NAME),
            "arrived": bool(f.get(FileFields.ARRIVED)),
            "documents": f.get(FileFields.DOCUMENTS),
            "pages": f.get(FileFields.PAGES),
        }
        for fid, f in sorted(files.items())
    ]
    docs = jobs.list_documents(ctx.rt, job_id)
    view["documents"] = [
        {
            "id": d.id,
            "name": d.data.get(DocFields.NAME),
            "file_id": d.data.get(DocFields.FILE_ID),
            "status": d.data.get(DocFields.STATUS),
            "pages": d.data.get(DocFields.PAGES),
            "reason": d.data.get(DocFields.REASON) or None,
        }
        for d in docs
    ]
    view["progress"] = {
        "files_declared": len(files),
        "files_arrived": sum(1 for f in files.values() if f.get(FileFields.ARRIVED)),
        "documents": len(docs),
        "documents_finished": sum(1 for d in docs if job_model.document_finished(d.data)),
        "pages": sum(int(d.data.get(DocFields.PAGES) or 0) for d in docs),
    }
    view["download"] = None
    if job.get(JobFields.STATUS) == job_model.JobStatus.DELIVERED:
        ttl = ctx.settings.download_url_ttl
        url = ctx.rt.blobs.download_url(ctx.rt.settings.results_bucket, _workbook_name(job_id, job), ttl)
        view["download"] = {"url": url, "expires_at": ctx.rt.clock() + ttl}
    return view


def _webhook_view(job: dict[str, Any]) -> dict[str, Any] | None:
    """Where the job's end event goes and how its delivery went (attempts, last status)."""
    if not job.get(JobFields.WEBHOOK_URL):
        return None
    delivery = job.get(JobFields.WEBHOOK) or {}
    return {
        "url": job.get(JobFields.WEBHOOK_URL),
        "event_id": delivery.get(WebhookFields.EVENT_ID),
        "state": delivery.get(WebhookFields.STATE) or "waiting",  # waiting: the job has not ended yet
        "attempts": int(delivery.get(WebhookFields.ATTEMPTS) or 0),
        "last_status": delivery.get(WebhookFields.LAST_STATUS),
        "last_error": delivery.get(WebhookFields.LAST_ERROR),
        "last_attempt_at": delivery.get(WebhookFields.LAST_ATTEMPT_AT),
        "delivered_at": delivery.get(WebhookFields.DELIVERED_AT),
    }


def _workbook_name(job_id: str, job: dict[str, Any]) -> str:
    return str(
        (job.get(JobFields.ASSEMBLY) or {}).get(AssemblyFields.WORKBOOK)
        or job_model.results_object_name(job_id)
    )


def get_job(ctx: ApiContext, call: Call) -> Reply:
    job_id = call.arg("job_id")
    return Reply(_job_view(ctx, job_id, _own_job(ctx, call.who, job_id), detail=True))


def confirm_job(ctx: ApiContext, call: Call) -> Reply:
    from zapdoc.services.confirm import ConfirmOutcome, confirm

    job_id, who = call.arg("job_id"), call.who
    _own_job(ctx, who, job_id)
    credits = call.body.credits
    outcome = confirm(ctx.rt, job_id, credits)
    job = _own_job(ctx, who, job_id)
    if outcome is ConfirmOutcome.SHORT:
        balance = jobs.ledger(ctx.rt).balance(who.user_id)
        raise H.ApiError(
            402, "insufficient_credits",
            f"the job costs {credits} credits and your balance is {balance}: buy credits, then confirm again",
        )  # fmt: skip
    if outcome is ConfirmOutcome.COST_CHANGED:
        raise H.ApiError(
            409, "cost_changed", f"the job costs {job.get(JobFields.QUOTE)} credits, not {credits}"
        )
    if outcome is ConfirmOutcome.NOT_HELD:
        raise H.ApiError(409, "not_awaiting_confirmation", f"the job is {job.get(JobFields.STATUS)}")
    return Reply(_job_view(ctx, job_id, job, detail=True))


def cancel_job(ctx: ApiContext, call: Call) -> Reply:
    from zapdoc.services.confirm import cancel

    job_id, who = call.arg("job_id"), call.who
    _own_job(ctx, who, job_id)
    if not cancel(ctx.rt, job_id, "cancelled by you before any charge"):
        job = _own_job(ctx, who, job_id)
        raise H.ApiError(
            409, "too_late", f"the job is {job.get(JobFields.STATUS)} and can no longer be cancelled"
        )
    return Reply(_job_view(ctx, job_id, _own_job(ctx, who, job_id), detail=True))


def download_job(ctx: ApiContext, call: Call) -> Response:
    job_id = call.arg("job_id")
    job = _own_job(ctx, call.who, job_id)
    if job.get(JobFields.STATUS) != job_model.JobStatus.DELIVERED:
        raise H.ApiError(
            409, "not_ready", f"the job is {job.get(JobFields.STATUS)}; the workbook is not ready"
        )
    url = ctx.rt.blobs.download_url(
        ctx.rt.settings.results_bucket, _workbook_name(job_id, job), ctx.settings.download_url_ttl
    )
    return H.empty(302, {"Location": url, "Cache-Control": "no-store"})


def list_jobs(ctx: ApiContext, call: Call) -> Reply:
    page = jobs.list_jobs(ctx.rt, call.who.user_id, limit=call.query.limit, cursor=call.query.cursor)
    items = [_job_view(ctx, s.id, s.data, detail=False) for s in page.items]
    return Reply({"jobs": items, "next_cursor": page.cursor})


# --------------------------------------------------------------------------------------- account


def me(ctx: ApiContext, call: Call) -> Reply:
    who = call.who
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
    return Reply(
        {
            "id": who.user_id,
            "email": who.email,
            "email_verified": who.email_verified,
            "balance": jobs.ledger(ctx.rt).balance(who.user_id),
            "ledger": ledger,
        }
    )


# ------------------------------------------------------------------------------------- templates


def _field_dicts(fields: list[M.FieldSpec]) -> list[dict[str, Any]]:
    return [f.model_dump(exclude_unset=True, exclude_none=True) for f in fields]


def list_templates(ctx: ApiContext, call: Call) -> Reply:
    return Reply({"builtin": builtin_templates(), "saved": ctx.templates.list(call.who.user_id)})


def create_template(ctx: ApiContext, call: Call) -> Reply:
    created = ctx.templates.create(call.who.user_id, call.body.name, _field_dicts(call.body.fields))
    return Reply(created, {"Location": f"/v1/templates/{created['id']}"})


def get_template(ctx: ApiContext, call: Call) -> Reply:
    found = ctx.templates.get(call.who.user_id, call.arg("template_id"))
    if found is None:
        raise H.not_found("template")
    return Reply(found)


def replace_template(ctx: ApiContext, call: Call) -> Reply:
    user_id, template_id = call.who.user_id, call.arg("template_id")
    if ctx.templates.get(user_id, template_id) is None:
        raise H.not_found("template")
    updated = ctx.templates.replace(user_id, template_id, call.body.name, _field_dicts(call.body.fields))
    if updated is None:
        raise H.not_found("template")
    return Reply(updated)


def delete_template(ctx: ApiContext, call: Call) -> Response:
    if not ctx.templates.delete(call.who.user_id, call.arg("template_id")):
        raise H.not_found("template")
    return H.empty(204)


# -------------------------------------------------------------------------------------- api keys


def create_api_key(ctx: ApiContext, call: Call) -> Reply:
    new = ctx.keys.create(call.who.user_id, call.body.name)
    out = {"id": new.id, "name": new.name, "key": new.key, "created_at": new.created_at}
    return Reply(out, {"Cache-Control": "no-store"})


def list_api_keys(ctx: ApiContext, call: Call) -> Reply:
    keys, cursor = ctx.keys.page(call.who.user_id, call.query.limit, call.query.cursor)
    return Reply({"api_keys": keys, "next_cursor": cursor})


def revoke_api_key(ctx: ApiContext, call: Call) -> Response:
    if not ctx.keys.revoke(call.who.user_id, call.arg("key_id")):
        raise H.not_found("API key")
    return H.empty(204)


# -------------------------------------------------------------------------------------- webhooks


def get_webhook(ctx: ApiContext, call: Call) -> Reply:
    from zapdoc.services import webhooks

    return Reply(webhooks.public_settings(ctx.rt, call.who.user_id))


def put_webhook(ctx: ApiContext, call: Call) -> Reply:
    """Set (or with ``"url": null`` remove) the default URL of jobs created without ``webhook_url``."""
    from zapdoc.services import webhooks

    user_id = call.who.user_id
    url = webhooks.set_default_url(
        ctx.rt, user_id, call.body.url, allow_loopback=ctx.rt.settings.webhook_allow_loopback
    )
    secret = webhooks.ensure_secret(ctx.rt, user_id) if url else None
    out = webhooks.public_settings(ctx.rt, user_id)
    if secret:  # the account's first signing secret: shown here, once
        out["secret"] = secret
    return Reply(out, {"Cache-Control": "no-store"})


def rotate_webhook_secret(ctx: ApiContext, call: Call) -> Reply:
    """A new signing secret, shown once; events signed from now on use it (the old one stops at once)."""
    from zapdoc.services import webhooks

    secret = webhooks.rotate_secret(ctx.rt, call.who.user_id)
    out = {**webhooks.public_settings(ctx.rt, call.who.user_id), "secret": secret}
    return Reply(out, {"Cache-Control": "no-store"})


# -------------------------------------------------------------------------------------- checkout


def checkout(ctx: ApiContext, call: Call) -> Reply:
    who, pack = call.who, call.body.pack
    if pack not in ctx.payments.packs:
        known = ", ".join(ctx.payments.packs)
        raise H.ApiError(404, "not_found", f"pack {pack!r} not found; choose one of: {known}")
    request_id = call.request.headers.get("Idempotency-Key", "")[: M.MAX_IDEMPOTENCY_KEY] or uuid.uuid4().hex
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
    return Reply({"id": session.id, "url": session.url})


def list_packs(ctx: ApiContext, call: Call) -> Reply:
    return Reply({"packs": [p.to_dict() for p in ctx.payments.packs.values()]})


# ----------------------------------------------------------------------------------------- admin


def is_admin(settings: ApiSettings, who: Principal) -> bool:
    """Operators: a uid in ZAPDOC_ADMIN_UIDS, or an ID token whose ZAPDOC_ADMIN_CLAIM claim is true."""
    if who.user_id in settings.admin_uids:
        return True
    return bool(settings.admin_claim) and who.via == "token" and who.claims.get(settings.admin_claim) is True


def admin_stats(ctx: ApiContext, call: Call) -> Reply:
    from zapdoc.services.analytics import parse_since, usage_report

    if not is_admin(ctx.settings, call.who):
        raise H.ApiError(
            403, "forbidden", "only operators (ZAPDOC_ADMIN_UIDS / ZAPDOC_ADMIN_CLAIM) may read usage"
        )
    try:
        since = parse_since(call.query.since)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Reply(usage_report(ctx.rt, since), {"Cache-Control": "no-store"})


# ------------------------------------------------------------------------------------ route table

_LOCATION = Header("Location", "The new resource")
_NO_STORE = Header("Cache-Control", "no-store: the answer carries a secret")
_HELD = (
    'For a job created with `"hold": true`: once its pages are counted it waits in '
    "`awaiting_confirmation` with `quote` (credits). Confirming with exactly that number debits it "
    "once and starts the job; nothing is charged before."
)
_WEBHOOK_URL = (
    "The URL must be `https://` and resolve only to public addresses (private, loopback, link-local "
    "and metadata addresses answer 400). The first time a webhook is set the answer carries the "
    "account's signing `secret`, shown this once."
)
_ADMIN = (
    "Documents, pages, success rate, top failure reasons, p50/p95 latency per step, LLM tokens and "
    "estimated cost per provider, credits sold, spent and refunded. Operators are the uids in "
    "ZAPDOC_ADMIN_UIDS or tokens with the ZAPDOC_ADMIN_CLAIM custom claim; others get 403."
)

ROUTES: tuple[Route, ...] = (
    Route("POST", "/v1/jobs", create_job, "createJob", "jobs",
          "Create a job and get one signed upload URL per file", status=201, response=M.JobCreated,
          body=M.JobCreateRequest, errors=(402, 403, 404, 429), headers=(_LOCATION,)),
    Route("GET", "/v1/jobs", list_jobs, "listJobs", "jobs", "The caller's jobs, newest first",
          response=M.JobList, query=M.PageQuery),
    Route("GET", "/v1/jobs/{job_id}", get_job, "getJob", "jobs",
          "Status, per-document progress, credits, and a download link once delivered",
          response=M.Job, errors=(404,)),
    Route("GET", "/v1/jobs/{job_id}/download", download_job, "downloadJob", "jobs",
          "Redirect to a short-lived signed link to the workbook", status=302, errors=(404, 409),
          headers=(Header("Location", "The signed link to the workbook"),)),
    Route("POST", "/v1/jobs/{job_id}/confirm", confirm_job, "confirmJob", "jobs",
          "Accept a held job's quote; the credits are debited and extraction starts",
          description=_HELD, response=M.Job, body=M.ConfirmRequest, errors=(402, 404, 409)),
    Route("POST", "/v1/jobs/{job_id}/cancel", cancel_job, "cancelJob", "jobs",
          "Cancel a job before anything was charged (awaiting files or confirmation)",
          response=M.Job, errors=(404, 409)),
    Route("GET", "/v1/admin/stats", admin_stats, "adminStats", "admin",
          "Usage per day and document type (operators only)", description=_ADMIN,
          response=M.UsageReport, query=M.StatsQuery, errors=(403,)),
    Route("GET", "/v1/me", me, "getMe", "account",
          "Email, balance and recent ledger entries (creates the account on first call)", response=M.Me),
    Route("GET", "/v1/templates", list_templates, "listTemplates", "templates",
          "Built-in and saved templates", response=M.TemplateList),
    Route("POST", "/v1/templates", create_template, "createTemplate", "templates",
          "Save a field list as a template", status=201, response=M.Template, body=M.TemplateInput,
          errors=(409,), headers=(_LOCATION,)),
    Route("GET", "/v1/templates/{template_id}", get_template, "getTemplate", "templates",
          "One saved template", response=M.Template, errors=(404,)),
    Route("PUT", "/v1/templates/{template_id}", replace_template, "replaceTemplate", "templates",
          "Replace a saved template's name and fields", response=M.Template, body=M.TemplateInput,
          errors=(404,)),
    Route("DELETE", "/v1/templates/{template_id}", delete_template, "deleteTemplate", "templates",
          "Delete a saved template", status=204, errors=(404,)),
    Route("POST", "/v1/api-keys", create_api_key, "createApiKey", "api-keys",
          "Create an API key; the key is shown only in this response", status=201,
          response=M.ApiKeyCreated, body=M.ApiKeyRequest, body_required=False, errors=(409,),
          headers=(_NO_STORE,)),
    Route("GET", "/v1/api-keys", list_api_keys, "listApiKeys", "api-keys",
          "The caller's keys (revoked ones too), newest first, one page (never the key itself)",
          response=M.ApiKeyList, query=M.PageQuery),
    Route("DELETE", "/v1/api-keys/{key_id}", revoke_api_key, "revokeApiKey", "api-keys",
          "Revoke a key: it stops working at once", status=204, errors=(404,)),
    Route("POST", "/v1/checkout", checkout, "createCheckout", "payments",
          "A Stripe Checkout Session for a credit pack; redirect the user to `url`", status=201,
          response=M.CheckoutSession, body=M.CheckoutRequest, errors=(404,),
          request_headers=(("Idempotency-Key", "Same key, same session", M.MAX_IDEMPOTENCY_KEY),)),
    Route("GET", "/v1/packs", list_packs, "listPacks", "payments", "Credit packs for sale",
          response=M.PackList),
    Route("GET", "/v1/webhook", get_webhook, "getWebhook", "webhooks",
          "The account's default webhook URL and whether a signing secret exists (never the secret)",
          response=M.WebhookSettings),
    Route("PUT", "/v1/webhook", put_webhook, "setWebhook", "webhooks",
          "Set (or with null remove) the default URL of jobs created without `webhook_url`",
          description=_WEBHOOK_URL, response=M.WebhookSettings, body=M.WebhookSettingsRequest,
          headers=(_NO_STORE,)),
    Route("POST", "/v1/webhook/secret", rotate_webhook_secret, "rotateWebhookSecret", "webhooks",
          "A new signing secret, shown once; the old one stops signing at once", status=201,
          response=M.WebhookSecret, headers=(_NO_STORE,)),
)  # fmt: skip
URL_MAP = H.build_map(ROUTES)
