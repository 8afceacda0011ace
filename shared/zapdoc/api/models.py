"""Request and response bodies of the ``/v1`` API as pydantic models.

Each limit is written once, here, as a Field constraint: the same model validates the request (a
violation answers 400 ``invalid_request`` naming the field) and describes it in
``openapi/openapi.yaml`` (``zapdoc.dev.openapi`` builds the document from these models and the route
table). Rules JSON Schema cannot say (names unique after normalisation, a spec string's grammar, a URL
that must resolve to a public address) stay in the domain and are written in the descriptions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict

from zapdoc.domain import fields as F
from zapdoc.domain import webhooks as W
from zapdoc.domain.job_model import JobStatus
from zapdoc.services.jobs import MAX_FILES
from zapdoc.settings import ApiSettings

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CONTENT_TYPES = ("application/pdf", "application/zip", "application/x-zip-compressed")
MAX_FILE_NAME = 255
MAX_TEMPLATE_NAME = 100
MAX_KEY_NAME = 100
MAX_IDEMPOTENCY_KEY = 100
DEFAULT_MAX_FILE_BYTES: int = ApiSettings.model_fields["max_file_bytes"].default
MAX_FIELD_SPEC = 20_000  # a spec string: 60 fields of 64-character names with 300-character notes fit

# The type names a field object may give: the domain's types and its aliases, exactly as written.
_ALIASES = sorted(F._TYPE_ALIASES)
FIELD_TYPES = tuple([t.value for t in F.FieldType] + _ALIASES)
TABLE_TYPES = tuple(k for k in FIELD_TYPES if F.parse_type(k) is F.FieldType.TABLE)
COLUMN_TYPES = tuple(k for k in FIELD_TYPES if F.parse_type(k).is_scalar)
FieldTypeName = Literal[FIELD_TYPES]  # type: ignore[valid-type]
ColumnTypeName = Literal[COLUMN_TYPES]  # type: ignore[valid-type]


def iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


Timestamp = Annotated[dt.datetime, PlainSerializer(iso, return_type=str)]


def _integral(value: Any) -> Any:
    """JSON Schema counts 149.0 as an integer; so does the API (149.5 and "149" stay refused)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Integer = Annotated[StrictInt, BeforeValidator(_integral)]


class Body(BaseModel):
    """A request body: JSON types only (no coercion), unknown members refused."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class Out(BaseModel):
    """A response body: what the handler built, checked and serialised (timestamps in UTC, ``Z``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# --------------------------------------------------------------------------------------- requests

FieldName = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=F.MAX_NAME_LENGTH,
        pattern="[0-9A-Za-z]",
        description=(
            "As typed: it becomes an identifier (`Invoice No.` -> `invoice_no`; a leading digit gets "
            "`f_`); names must differ once normalised"
        ),
    ),
]
Description = Annotated[StrictStr, Field(max_length=F.MAX_DESCRIPTION_LENGTH)]


class ColumnSpec(Body):
    """A column of a table field (a scalar type)."""

    name: FieldName
    type: ColumnTypeName = "text"
    description: Description = ""


class FieldSpec(Body):
    """One field to extract; a table field (`table`, alias `items`) lists its columns."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["type"], "properties": {"type": {"enum": list(TABLE_TYPES)}}},
            "then": {"required": ["columns"], "properties": {"columns": {"type": "array", "minItems": 1}}},
            "else": {"properties": {"columns": {"maxItems": 0}}},
        }
    )

    name: FieldName
    type: FieldTypeName = "text"
    description: Description = ""
    columns: (
        Annotated[
            list[ColumnSpec],
            Field(max_length=F.MAX_COLUMNS, json_schema_extra={"uniqueItems": True}),
        ]
        | None
    ) = Field(None, description="Only for a table field, and then at least one; names unique")


FieldList = Annotated[
    list[FieldSpec],
    Field(min_length=1, max_length=F.MAX_FIELDS, json_schema_extra={"uniqueItems": True}),
]
FieldSpecString = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_FIELD_SPEC),
    WithJsonSchema(
        {
            "type": "string",
            "format": "zapdoc-fields",
            "minLength": 1,
            "maxLength": MAX_FIELD_SPEC,
            "description": (
                "A spec string: comma-separated `name[:type][ (description)]` items, a table as "
                '`name:table[column, column:type]`, e.g. "invoice_number, total:amount, date:date"'
            ),
        }
    ),
]


FILE_NAME = r"[A-Za-z0-9][^/\\]*$"  # a letter or digit in the last path segment: never '', '.', '..'


def _file_name(value: str) -> str:
    if re.search(FILE_NAME, value):
        return value
    raise ValueError(
        f"file name {value[:100]!r} has no usable last path segment (a letter or digit after the "
        "last / or \\); give the file's own name, e.g. invoice.pdf"
    )


class FileDeclaration(Body):
    name: Annotated[
        StrictStr,
        Field(
            min_length=1,
            max_length=MAX_FILE_NAME,
            json_schema_extra={"pattern": FILE_NAME},
            description="The file's name; its last path segment (after / or \\) needs a letter or digit",
        ),
        AfterValidator(_file_name),
    ]
    size: Integer = Field(
        ge=1,
        le=DEFAULT_MAX_FILE_BYTES,
        description="Bytes; the upload must be exactly this size (at most ZAPDOC_MAX_UPLOAD_MB)",
    )
    content_type: Literal[CONTENT_TYPES]  # type: ignore[valid-type]


_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
HTTPS_URL = r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}(:" + _PORT + r")?([/?#][^\s]*)?$"


def _https_url(value: str, info: ValidationInfo) -> str:
    """A DNS name over https (the SSRF guard then resolves it); the local stack (``allow_loopback``
    in the validation context) also takes ``http://`` to loopback receivers."""
    if (info.context or {}).get("allow_loopback") or re.fullmatch(HTTPS_URL, value):
        return value
    raise ValueError(
        "webhook_url must be an https:// URL to a host name, e.g. https://hooks.example.com/zapdoc"
    )


WebhookUrl = Annotated[
    StrictStr,
    Field(
        max_length=W.MAX_URL,
        json_schema_extra={"pattern": HTTPS_URL, "format": "https-url"},
        description="`https://` to a host name that resolves only to public addresses (checked when "
        "set and again at each delivery)",
    ),
    AfterValidator(_https_url),
]
TemplateRef = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_TEMPLATE_NAME,
        pattern=r"\S",
        description="A built-in template name (invoice, receipt, resume, contract, rfp) or a saved "
        "template id; one that does not exist answers 404",
    ),
]


def _absent(schema: JsonDict) -> None:
    """A member that may be absent but never null: no ``default: null`` in its schema."""
    schema.pop("default", None)


class JobCreateRequest(Body):
    """Exactly one of `fields` and `template`."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["fields"], "not": {"required": ["template"]}},
                {"required": ["template"], "not": {"required": ["fields"]}},
            ]
        }
    )

    files: list[FileDeclaration] = Field(min_length=1, max_length=MAX_FILES)
    fields: FieldSpecString | FieldList = Field(None, json_schema_extra=_absent)  # type: ignore[assignment]
    template: TemplateRef = Field(None, json_schema_extra=_absent)  # type: ignore[assignment]
    webhook_url: WebhookUrl | None = Field(
        None,
        description="Where to POST the job's end event (`webhooks.jobEnded`). Absent: the account's "
        "default (`PUT /v1/webhook`); null: no webhook for this job.",
    )
    hold: StrictBool = Field(
        False,
        description="Count the pages, then wait in `awaiting_confirmation` with a `quote` until "
        "`POST /v1/jobs/{job_id}/confirm`; nothing is charged before (the web app does this).",
    )

    @model_validator(mode="after")
    def _one_of(self) -> JobCreateRequest:
        if ("fields" in self.model_fields_set) == ("template" in self.model_fields_set) or (
            self.fields is None and self.template is None
        ):
            raise ValueError('give exactly one of "fields" (a list or a spec string) or "template"')
        return self


class ConfirmRequest(Body):
    credits: Integer = Field(ge=0, description="The job's quote: the credits you accept to pay")


class TemplateInput(Body):
    name: StrictStr = Field(min_length=1, max_length=MAX_TEMPLATE_NAME, pattern=r"\S")
    fields: FieldList


class ApiKeyRequest(Body):
    name: StrictStr = Field("API key", max_length=MAX_KEY_NAME)


class CheckoutRequest(Body):
    pack: StrictStr = Field(
        min_length=1, max_length=64, description="A pack id from `GET /v1/packs`; another answers 404"
    )


class WebhookSettingsRequest(Body):
    url: WebhookUrl | None = Field(description="The default webhook URL, or null to remove it")


# ---------------------------------------------------------------------------------- query strings


class Query(BaseModel):
    """Query parameters (strings on the wire, converted here); unknown ones are refused."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class PageQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="Items per page")
    cursor: str | None = Field(
        None,
        max_length=512,
        json_schema_extra={"format": "zapdoc-cursor"},
        description="`next_cursor` of the previous page (opaque; another value answers 400)",
    )


class StatsQuery(Query):
    since: str = Field(
        "7d",
        pattern=r"^(([1-9]|[1-9][0-9]|[1-3][0-9][0-9])[mhd]|([1-9]|[1-4][0-9]|5[0-7])w)$",
        description="How far back, e.g. 90m, 24h, 7d, 2w (at most 400 days)",
    )


# -------------------------------------------------------------------------------------- responses


class ErrorDetail(Out):
    code: str = Field(description="Stable, machine-readable (see each response)")
    message: str = Field(description="For people")


class Error(Out):
    """Every error: `{"error": {"code", "message"}}`."""

    error: ErrorDetail


class SignedUpload(Out):
    url: str
    method: Literal["PUT"]
    headers: dict[str, str] = Field(description="Send exactly these headers with the PUT")
    expires_at: Timestamp


class UploadSlot(Out):
    file_id: str
    name: str
    size: int
    content_type: str
    upload: SignedUpload


class JobWebhook(Out):
    url: str
    secret: str | None = Field(None, description="The account's first signing secret: shown only here, once")


class JobCreated(Out):
    id: str
    status: JobStatus
    deadline_at: Timestamp
    files: list[UploadSlot]
    webhook: JobWebhook | None


class Credits(Out):
    charged: int
    refunded: int


class WebhookStatus(Out):
    url: str
    event_id: str | None
    state: Literal["waiting", "pending", "retrying", "delivered", "failed"] = Field(
        description="waiting = the job has not ended; failed = given up after a day"
    )
    attempts: int
    last_status: int | None = Field(description="The endpoint's last HTTP status")
    last_error: str | None
    last_attempt_at: Timestamp | None
    delivered_at: Timestamp | None


class JobSummary(Out):
    id: str
    status: JobStatus
    template: str | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    credits: Credits
    reason: str | None
    hold: bool
    quote: int | None = Field(description="A held job's cost in credits, once counted")
    webhook: WebhookStatus | None


class StoredField(Out):
    name: str
    type: str
    description: str | None = None
    columns: list[StoredField] | None = None


class JobFile(Out):
    file_id: str
    name: str | None
    arrived: bool
    documents: int | None
    pages: int | None


class JobDocument(Out):
    id: str
    name: str | None
    file_id: str | None
    status: Literal["pending", "done", "failed", "rejected"] | None
    pages: int | None
    reason: str | None


class Progress(Out):
    files_declared: int
    files_arrived: int
    documents: int
    documents_finished: int
    pages: int


class Download(Out):
    url: str = Field(description="Short-lived signed link to the workbook")
    expires_at: Timestamp


class Job(JobSummary):
    fields: list[StoredField]
    deadline_at: Timestamp | None
    files: list[JobFile]
    documents: list[JobDocument]
    progress: Progress
    download: Download | None


class JobList(Out):
    jobs: list[JobSummary]
    next_cursor: str | None


class LedgerEntry(Out):
    key: str | None
    delta: int | None
    balance_after: int | None
    at: Timestamp | None
    reason: str | None


class Me(Out):
    id: str
    email: str
    email_verified: bool
    balance: int
    ledger: list[LedgerEntry]


class Template(Out):
    id: str
    name: str
    description: str | None = None
    builtin: bool | None = None
    fields: list[StoredField]
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class TemplateList(Out):
    builtin: list[Template]
    saved: list[Template]


class ApiKey(Out):
    id: str
    name: str
    prefix: str
    created_at: Timestamp | None
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None


class ApiKeyList(Out):
    api_keys: list[ApiKey]
    next_cursor: str | None


class ApiKeyCreated(Out):
    id: str
    name: str
    key: str = Field(description="Shown only once")
    created_at: Timestamp


class Pack(Out):
    id: str
    credits: int
    amount: int = Field(description="Price in minor units (cents)")
    currency: str


class PackList(Out):
    packs: list[Pack]


class CheckoutSession(Out):
    id: str
    url: str = Field(description="Stripe Checkout: redirect the user here")


class WebhookSettings(Out):
    default_url: str | None
    secret_set: bool
    secret_hint: str | None = Field(description="The secret's first characters")
    secret_created_at: Timestamp | None
    secret: str | None = Field(None, description="Shown only when created or rotated")


class WebhookSecret(WebhookSettings):
    secret: str = Field(description="The new signing secret, shown once")


class UsageReport(Out):
    """Documents, pages, success rate, failure reasons, latency, LLM tokens and cost, credits."""

    model_config = ConfigDict(extra="allow")


# --------------------------------------------------------------------------------- webhook events


class EventDocuments(Out):
    total: int
    ok: int
    failed: int


class EventJob(Out):
    id: str
    status: JobStatus
    template: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    credits: Credits
    reason: str | None = None
    documents: EventDocuments
    url: str | None = Field(None, description="The job's page in the web app")
    download: Download | None


class EventData(Out):
    job: EventJob


class JobEvent(Out):
    """The body ZapDoc POSTs to a job's `webhook_url` when the job ends."""

    id: str = Field(description="Stable per job and end state (evt_<job>_<state>): deduplicate on it")
    type: Literal[tuple(W.EVENT_TYPES.values())]  # type: ignore[valid-type]
    api_version: str
    created: int | None = Field(description="Unix seconds when the event was created")
    data: EventData


class StripeEvent(BaseModel):
    """A Stripe event as Stripe sends it (only what ZapDoc reads; Stripe adds more)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=255)
    type: str = Field(
        min_length=1,
        max_length=255,
        description="Handled: checkout.session.completed and checkout.session.async_payment_succeeded "
        "(credit a paid pack once per session), checkout.session.async_payment_failed (mail the "
        "buyer), charge.refunded (revoke the refunded share); any other type is acknowledged and "
        "ignored",
    )
    data: StripeEventData


class StripeEventData(BaseModel):
    """The event's payload: its `object` (Stripe adds more members, e.g. `previous_attributes`)."""

    model_config = ConfigDict(extra="allow")

    object: dict[str, Any] = Field(description="The Checkout Session or the Charge")


class StripeReceipt(Out):
    received: Literal[True]
    action: str = Field(
        description="credited | already_credited | awaiting_payment | notified | already_notified | "
        "revoked | already_revoked | ignored"
    )


def dump(model: type[BaseModel], data: Any) -> Any:
    """``data`` checked against ``model`` and serialised for JSON (members not given stay out)."""
    return model.model_validate(data).model_dump(mode="json", exclude_unset=True)
