"""The one settings model: parsed once, Google variables resolved one way, bounds, secrets, and no
other module reading the environment."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from zapdoc import bootstrap
from zapdoc.domain.errors import ConfigError
from zapdoc.settings import Settings, known_variables

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shared" / "zapdoc"


def test_every_part_is_read_from_one_flat_environment() -> None:
    # GIVEN variables for every part WHEN the settings are parsed once
    s = Settings.from_env(
        {
            "GOOGLE_CLOUD_PROJECT": "p1",
            "ZAPDOC_GEMINI_MODEL": "gemini-3.1-flash-lite",
            "ZAPDOC_FREE_CREDITS": "7",
            "ZAPDOC_MAIL_FROM": "Z <z@example.com>",
            "ZAPDOC_CREDIT_PACKS": "one:10:100:eur",
            "ZAPDOC_API_URL": "http://127.0.0.1:1",
            "ZAPDOC_CRASH_AT": "intake.after_debit, assemble.after_email",
            "ZAPDOC_FILE_ARRIVAL_TIMEOUT_S": "90",
        }
    )
    # THEN each part has its values, with derived defaults and typed durations
    assert (s.cloud.project, s.cloud.uploads_bucket, s.cloud.results_bucket) == (
        "p1",
        "p1-uploads",
        "p1-results",
    )
    assert s.cloud.file_arrival_timeout == dt.timedelta(seconds=90)
    assert s.llm.gemini_model == "gemini-3.1-flash-lite"
    assert (s.api.free_credits, s.mail.mail_from) == (7, "Z <z@example.com>")
    assert list(s.payments.packs) == ["one"]
    assert s.client.api_url == "http://127.0.0.1:1"
    assert s.dev.crash_at == ("intake.after_debit", "assemble.after_email")


def test_the_google_project_is_resolved_one_way_with_explicit_overrides() -> None:
    # GIVEN only the legacy variable WHEN parsed THEN every part sees the same project
    s = Settings.from_env({"GCLOUD_PROJECT": "legacy"})
    assert s.cloud.project == s.llm.gcp_project == s.api.firebase_project == s.client.project == "legacy"
    # GIVEN both standard names THEN GOOGLE_CLOUD_PROJECT wins everywhere
    s = Settings.from_env({"GCLOUD_PROJECT": "legacy", "GOOGLE_CLOUD_PROJECT": "p"})
    assert s.cloud.project == s.llm.gcp_project == s.api.firebase_project == "p"
    # GIVEN the explicit overrides THEN they apply only to Vertex AI and Firebase
    s = Settings.from_env(
        {"GOOGLE_CLOUD_PROJECT": "p", "ZAPDOC_GCP_PROJECT": "ai", "ZAPDOC_FIREBASE_PROJECT": "fb"}
    )
    assert (s.cloud.project, s.llm.gcp_project, s.api.firebase_project) == ("p", "ai", "fb")


def test_empty_variables_count_as_unset_and_values_are_stripped() -> None:
    s = Settings.from_env(
        {"GOOGLE_CLOUD_PROJECT": " p ", "ZAPDOC_UPLOADS_BUCKET": "  ", "ZAPDOC_MAIL_FROM": ""}
    )
    assert s.cloud.project == "p" and s.cloud.uploads_bucket == "p-uploads"
    assert "zapdoc.example" in s.mail.mail_from


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("ZAPDOC_FREE_CREDITS", "-1"),
        ("ZAPDOC_MAX_UPLOAD_MB", "0"),
        ("ZAPDOC_MAX_UPLOAD_MB", "6000"),
        ("ZAPDOC_UPLOAD_URL_TTL_S", "30"),
        ("ZAPDOC_DOWNLOAD_LINK_TTL_S", str(8 * 86400)),
        ("ZAPDOC_DELIVERY_ATTEMPTS", "0"),
        ("ZAPDOC_INSPECT_MEMORY_MB", "10"),
        ("ZAPDOC_LLM_CHUNK_TOKENS", "lots"),
        ("ZAPDOC_MAX_API_KEYS", "0"),
    ],
)
def test_out_of_bounds_values_fail_fast_naming_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: raw})


def test_secrets_never_show_in_a_repr_or_an_error() -> None:
    env = {
        "SENDGRID_API_KEY": "SG.very-secret",
        "STRIPE_SECRET_KEY": "sk_test_secret",
        "STRIPE_WEBHOOK_SECRET": "whsec_secret",
        "OPENAI_API_KEY": "sk-secret",
        "ZAPDOC_TOKEN": "token-secret",
    }
    s = Settings.from_env(env)
    text = repr(s) + str(s)
    assert all(value not in text for value in env.values())
    assert s.mail.sendgrid_api_key is not None
    assert s.mail.sendgrid_api_key.get_secret_value() == "SG.very-secret"
    assert s.client.credential() == "token-secret"
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"ZAPDOC_FREE_CREDITS": "x", "STRIPE_SECRET_KEY": "sk_test_secret"})
    assert "sk_test_secret" not in str(err.value)


def test_parts_are_frozen() -> None:
    s = Settings.from_env({})
    with pytest.raises(ValueError, match="frozen"):
        s.cloud.project = "other"  # type: ignore[misc]


def test_the_process_settings_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a process environment WHEN the settings are asked for twice THEN they are one object,
    # and a later change of the environment is not seen until reset
    bootstrap.reset()
    monkeypatch.setenv("ZAPDOC_FREE_CREDITS", "3")
    first = bootstrap.settings()
    monkeypatch.setenv("ZAPDOC_FREE_CREDITS", "4")
    assert bootstrap.settings() is first and first.api.free_credits == 3
    bootstrap.reset()
    assert bootstrap.settings().api.free_credits == 4
    bootstrap.reset()


def test_known_variables_cover_the_documented_ones() -> None:
    names = known_variables()
    assert {"GOOGLE_CLOUD_PROJECT", "ZAPDOC_DELIVERY_ATTEMPTS", "STRIPE_WEBHOOK_SECRET"} <= names
    assert "ZAPDOC_MAX_ATTEMPTS" not in names  # it meant two things; renamed


# --- nothing else reads the environment -------------------------------------------------------

ENV_READ_ALLOWED = {
    "settings.py",  # the one place
    "bootstrap.py",  # writes GRPC_ENABLE_FORK_SUPPORT for the gRPC library before it loads
    # The Tesseract child gets the process's PATH (not a setting; ZAPDOC_OCR* are settings.extraction).
    "extraction/ocr.py",
}
DEV_ONLY = ("dev", "standins")  # local stack and stand-ins pass environments to child processes


def _env_reads(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "environb")
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} os.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {a.name for a in node.names}
            if names & {"environ", "getenv", "environb"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} from os import {sorted(names)}")
    return found


def test_no_module_outside_settings_reads_the_environment() -> None:
    # GIVEN every production module and every function entry point
    files = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in DEV_ONLY]
    files = [p for p in files if str(p.relative_to(PACKAGE)) not in ENV_READ_ALLOWED]
    files += list((ROOT / "functions").rglob("*.py"))
    # THEN none of them touches os.environ / os.getenv
    assert len(files) > 40
    assert [hit for p in files for hit in _env_reads(p)] == []


def test_the_scan_would_see_a_raw_read(tmp_path: Path) -> None:
    # GIVEN a module that reads a variable the old way THEN the scan reports it (the check can fail)
    probe = ROOT / "tests" / "unit" / "_probe_env_read.py"
    probe.write_text("import os\n\nVALUE = os.environ.get('X', '')\nOTHER = os.getenv('Y')\n")
    try:
        assert len(_env_reads(probe)) == 2
    finally:
        probe.unlink()


# --- the settings main gained while the model was built: same variables, same defaults -----------

FOLDED: list[tuple[str, str, str, object, object]] = [
    # (part, field, variable, default, value read from "7" / the given text)
    ("cloud", "max_page_chars", "ZAPDOC_MAX_PAGE_CHARS", 12_000, 500),
    ("cloud", "max_document_tokens", "ZAPDOC_MAX_DOCUMENT_TOKENS", 500_000, 2000),
    ("cloud", "max_job_pages", "ZAPDOC_MAX_JOB_PAGES", 10_000, 7),
    ("cloud", "max_job_documents", "ZAPDOC_MAX_JOB_DOCUMENTS", 2_000, 7),
    ("cloud", "max_open_jobs", "ZAPDOC_MAX_OPEN_JOBS", 10, 7),
    ("cloud", "store_timeout_s", "ZAPDOC_STORE_TIMEOUT_S", 30.0, 7.0),
    ("cloud", "analytics_topic", "ZAPDOC_ANALYTICS_TOPIC", "", "events"),
    ("cloud", "webhooks_topic", "ZAPDOC_WEBHOOKS_TOPIC", "zapdoc-webhooks", "hooks"),
    ("cloud", "webhook_allow_loopback", "ZAPDOC_WEBHOOK_ALLOW_LOOPBACK", False, True),
    ("cloud", "overdue_grace", "ZAPDOC_OVERDUE_GRACE_S", dt.timedelta(minutes=30), dt.timedelta(seconds=7)),
    ("cloud", "public_url", "ZAPDOC_PUBLIC_URL", "", "https://app.example"),
    ("cloud", "mail_from", "ZAPDOC_MAIL_FROM", "ZapDoc <no-reply@zapdoc.example>", "Me <me@example.com>"),
    ("llm", "providers", "ZAPDOC_LLM_PROVIDERS", (), ("gemini", "openai")),
    ("llm", "gemini_model", "ZAPDOC_GEMINI_MODEL", "gemini-3.1-flash-lite", "m"),
    ("llm", "gemini_escalation_model", "ZAPDOC_GEMINI_ESCALATION_MODEL", "gemini-3.5-flash", "big"),
    ("llm", "openai_escalation_model", "ZAPDOC_OPENAI_ESCALATION_MODEL", None, "big"),
    ("llm", "escalate_below", "ZAPDOC_LLM_ESCALATE_BELOW", 0.6, 0.25),
    ("llm", "breaker_failures", "ZAPDOC_LLM_BREAKER_FAILURES", 5, 7),
    ("llm", "breaker_window_s", "ZAPDOC_LLM_BREAKER_WINDOW_S", 60.0, 7.0),
    ("llm", "breaker_cooldown_s", "ZAPDOC_LLM_BREAKER_COOLDOWN_S", 60.0, 7.0),
    ("api", "admin_uids", "ZAPDOC_ADMIN_UIDS", frozenset(), frozenset({"a", "b"})),
    ("api", "admin_claim", "ZAPDOC_ADMIN_CLAIM", "", "admin"),
    ("api", "firebase_api_key", "ZAPDOC_FIREBASE_API_KEY", "local-dev-key", "k"),
    ("api", "firebase_auth_domain", "ZAPDOC_FIREBASE_AUTH_DOMAIN", "", "x.firebaseapp.com"),
    ("api", "allowed_origins", "ZAPDOC_ALLOWED_ORIGINS", (), ("https://a.example", "https://b.example")),
    ("extraction", "ocr", "ZAPDOC_OCR", True, False),
    ("extraction", "ocr_budget_s", "ZAPDOC_OCR_BUDGET_S", None, 7.0),
    ("extraction", "ignore_einvoice", "ZAPDOC_IGNORE_EINVOICE", False, True),
    ("dev", "port_base", "ZAPDOC_DEV_PORT_BASE", None, 9000),
]
GIVEN = {
    "ZAPDOC_MAX_PAGE_CHARS": "500",
    "ZAPDOC_MAX_DOCUMENT_TOKENS": "2000",
    "ZAPDOC_ANALYTICS_TOPIC": "events",
    "ZAPDOC_WEBHOOKS_TOPIC": "hooks",
    "ZAPDOC_WEBHOOK_ALLOW_LOOPBACK": "1",
    "ZAPDOC_PUBLIC_URL": "https://app.example/",
    "ZAPDOC_MAIL_FROM": "Me <me@example.com>",
    "ZAPDOC_LLM_PROVIDERS": "Gemini, openai",
    "ZAPDOC_GEMINI_MODEL": "m",
    "ZAPDOC_GEMINI_ESCALATION_MODEL": "big",
    "ZAPDOC_OPENAI_ESCALATION_MODEL": "big",
    "ZAPDOC_LLM_ESCALATE_BELOW": "0.25",
    "ZAPDOC_ADMIN_UIDS": "a, b,",
    "ZAPDOC_ADMIN_CLAIM": "admin",
    "ZAPDOC_FIREBASE_API_KEY": "k",
    "ZAPDOC_FIREBASE_AUTH_DOMAIN": "x.firebaseapp.com",
    "ZAPDOC_ALLOWED_ORIGINS": "https://a.example/, https://b.example",
    "ZAPDOC_OCR": "off",
    "ZAPDOC_IGNORE_EINVOICE": "yes",
    "ZAPDOC_DEV_PORT_BASE": "9000",
}


@pytest.mark.parametrize(("part", "name", "variable", "default", "value"), FOLDED)
def test_every_setting_of_the_old_modules_is_one_field_with_its_variable_and_default(
    part: str, name: str, variable: str, default: object, value: object
) -> None:
    # GIVEN no variable THEN the old default; GIVEN the variable THEN its value, parsed
    assert getattr(getattr(Settings.from_env({}), part), name) == default
    assert variable in known_variables()
    given = {variable: GIVEN.get(variable, "7")}
    assert getattr(getattr(Settings.from_env(given), part), name) == value


def test_empty_escalation_model_turns_escalation_off_and_loopback_webhooks_stay_local() -> None:
    assert Settings.from_env({"ZAPDOC_GEMINI_ESCALATION_MODEL": ""}).llm.gemini_escalation_model is None
    assert Settings.from_env({"ZAPDOC_GEMINI_THINKING_LEVEL": ""}).llm.gemini_thinking_level is None
    with pytest.raises(ConfigError, match="ZAPDOC_WEBHOOK_ALLOW_LOOPBACK"):
        Settings.from_env({"ZAPDOC_WEBHOOK_ALLOW_LOOPBACK": "1", "K_SERVICE": "intake"})
    with pytest.raises(ConfigError, match="ZAPDOC_MAX_PAGE_CHARS"):
        Settings.from_env({"ZAPDOC_MAX_PAGE_CHARS": "10"})
    with pytest.raises(ConfigError, match="ZAPDOC_AUTH_EMULATOR"):
        Settings.from_env({"ZAPDOC_AUTH_EMULATOR": "yes"})
