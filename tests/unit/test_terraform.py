"""The Terraform stack, checked offline: it matches the code it deploys, and each check catches the
breakage it exists for (a copy of the HCL with one thing removed must fail)."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.unit.terraform_checks import CHECKS, REQUIRED_FUNCTIONS, all_problems, functions
from tests.unit.terraform_hcl import REPO, TERRAFORM_DIR, Stack, load_stack


@pytest.fixture(scope="module")
def stack() -> Stack:
    return load_stack()


# --- the real stack -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_stack_passes_check(stack: Stack, name: str) -> None:
    # GIVEN the Terraform in terraform/ WHEN one offline check reads it THEN it finds nothing wrong
    assert CHECKS[name](stack) == []


def test_every_required_function_is_deployed(stack: Stack) -> None:
    assert set(functions(stack)) == REQUIRED_FUNCTIONS


def test_terraform_fmt_is_clean() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed (Cloud Build runs `terraform fmt -check` in its own step)")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", str(TERRAFORM_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"unformatted files:\n{result.stdout}{result.stderr}"


def checkov_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("checkov")
    return str(beside_python) if beside_python.exists() else shutil.which("checkov")


def test_checkov_finds_nothing_unexplained() -> None:
    checkov = checkov_binary()
    if checkov is None:
        pytest.skip("checkov is not installed (pip install '.[dev]')")
    # GIVEN the stack WHEN checkov scans it offline
    result = subprocess.run(
        [checkov, "-d", str(TERRAFORM_DIR), "--framework", "terraform", "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    summary = report["summary"]
    skipped = report["results"].get("skipped_checks", [])
    failed = report["results"].get("failed_checks", [])
    # THEN no check fails, nothing failed to parse, and every skip carries a written reason
    assert [f"{c['check_id']} {c['resource']}" for c in failed] == []
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 50
    unexplained = [
        f"{c['check_id']} {c['resource']}"
        for c in skipped
        if len(str(c["check_result"].get("suppress_comment") or "").strip()) < 20
    ]
    assert unexplained == []


def test_packaging_writes_the_source_of_every_deployed_function(stack: Stack, tmp_path: Path) -> None:
    from zapdoc.dev.packaging import package_all

    # GIVEN the packaging command's output WHEN Terraform zips <source_dir>/<function> for each function
    package_all(tmp_path)
    for key, fn in functions(stack).items():
        folder = tmp_path / fn.folder
        # THEN each folder holds the entry point, the zapdoc package and the runtime requirements
        assert (folder / "main.py").is_file(), f"`zapdoc package` does not build {key}"
        names = {
            n.name for n in ast.parse((folder / "main.py").read_text()).body if isinstance(n, ast.FunctionDef)
        }
        assert fn.entry_point in names
        assert (folder / "zapdoc" / "__init__.py").is_file()
        assert not (folder / "zapdoc" / "dev").exists()
        assert "functions-framework" in (folder / "requirements.txt").read_text()


def test_cloudbuild_lints_tests_packages_plans_and_applies_on_the_deploy_branch() -> None:
    yaml: Any = importlib.import_module("yaml")  # PyYAML ships no type hints
    config = yaml.safe_load((REPO / "cloudbuild.yaml").read_text())
    steps = config["steps"]
    scripts = {s["id"]: " ".join(str(a) for a in s.get("args", [])) for s in steps}
    everything = "\n".join(scripts.values())
    for command in ("ruff check", "ruff format --check", "mypy", "pytest -q tests/unit", "tests/integration"):
        assert command in everything, command
    image = next(s["name"] for s in steps if s["id"] == "emulator-tests")
    image = re.sub(r"\$\{(_\w+)\}", lambda m: str(config["substitutions"][m.group(1)]), image)
    assert "google-cloud-cli:emulators" in image
    assert "zapdoc package --output dist/functions" in scripts["package"]
    assert "init" in scripts["terraform-plan"] and "-backend-config" in scripts["terraform-plan"]
    assert "_TF_STATE_BUCKET" in scripts["terraform-plan"]
    assert "plan" in scripts["terraform-plan"]
    apply = scripts["terraform-apply"]
    assert re.search(
        r'if \[ "\$\{BRANCH_NAME\}" = "\$\{_DEPLOY_BRANCH\}" \]; then\s+terraform .*apply', apply
    )
    assert config["substitutions"]["_DEPLOY_BRANCH"] == "main"
    order = [s["id"] for s in steps]
    assert order.index("package") < order.index("terraform-plan") < order.index("terraform-apply")


# --- each check catches what it is for ------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """Change ``pattern`` (once) inside the block that starts at ``anchor`` of ``file``."""

    id: str
    file: str
    anchor: str
    pattern: str
    replacement: str
    expected: str


# A function's entry in local.function_settings, the one for_each resource, and the settings all share.
FN = "\n    {} = {{\n"
FN_RESOURCE = 'resource "google_cloudfunctions2_function" "fn"'
FN_COMMON_ENV = "\n  function_env = {\n"
SUB = 'resource "google_pubsub_subscription" "{}"'
MUTATIONS = [
    Mutation(
        "internal-function-made-public",
        "functions.tf",
        FN.format("extract"),
        r'"ALLOW_INTERNAL_ONLY"',
        '"ALLOW_ALL"',
        "also open: ['extract']",
    ),
    Mutation(
        "intake-memory-below-sandbox",
        "variables.tf",
        'variable "memory"',
        r'intake(\s*)= "2Gi"',
        r'intake\1= "1Gi"',
        "cannot hold the 1024 MiB inspection sandbox",
    ),
    Mutation(
        "setting-name-misspelt",
        "functions.tf",
        FN.format("extract"),
        r"ZAPDOC_DELIVERY_ATTEMPTS(\s*)=",
        r"ZAPDOC_MAX_ATTEMPTS\1=",
        "extract: ZAPDOC_MAX_ATTEMPTS is set but no setting reads it",
    ),
    Mutation(
        "required-setting-removed",
        "functions.tf",
        FN_COMMON_ENV,
        r"\n\s*GOOGLE_CLOUD_PROJECT\s*=.*",
        "",
        "intake: not ready with the deployed settings: GOOGLE_CLOUD_PROJECT is not set",
    ),
    Mutation(
        "secret-the-entry-point-reads-removed",
        "functions.tf",
        FN.format("stripe_webhook"),
        r"\n\s*STRIPE_WEBHOOK_SECRET\s*=.*",
        "",
        "stripe_webhook: not ready with the deployed settings: STRIPE_WEBHOOK_SECRET is not set",
    ),
    Mutation(
        "signer-removed",
        "functions.tf",
        FN.format("api"),
        r"\n\s*ZAPDOC_SIGNER_EMAIL\s*=.*",
        "",
        "api: not ready with the deployed settings: set ZAPDOC_SIGNER_EMAIL",
    ),
    Mutation(
        "checkout-url-left-at-placeholder",
        "functions.tf",
        FN.format("api"),
        r"\n\s*ZAPDOC_CHECKOUT_SUCCESS_URL\s*=.*",
        "",
        "checkout_success_url keeps the placeholder",
    ),
    Mutation(
        "llm-provider-offline",
        "functions.tf",
        FN.format("extract"),
        r'ZAPDOC_LLM_PROVIDERS(\s*)= join\(",", var.llm_providers\)',
        r'ZAPDOC_LLM_PROVIDERS\1= "offline"',
        "extract: would not use Gemini",
    ),
    Mutation(
        "llm-chain-without-fallback",
        "functions.tf",
        FN.format("classify"),
        r"\n\s*ZAPDOC_LLM_PROVIDERS\s*=.*",
        "",
        "classify: no fallback provider after gemini",
    ),
    Mutation(
        "breaker-ttl-removed",
        "firestore.tf",
        r'resource "google_firestore_field" "llm_breakers_ttl"',
        r"\n\s*ttl_config \{\}",
        "",
        "no TTL policy on llm_breakers",
    ),
    Mutation(
        "event-trigger-retry-off",
        "functions.tf",
        FN_RESOURCE,
        r'"RETRY_POLICY_RETRY"',
        '"RETRY_POLICY_DO_NOT_RETRY"',
        "intake: event trigger does not retry",
    ),
    Mutation(
        "event-trigger-retry-removed",
        "functions.tf",
        FN_RESOURCE,
        r"\n\s*retry_policy\s*=.*",
        "",
        "intake: event trigger does not retry",
    ),
    Mutation(
        "subscription-retry-policy-removed",
        "pubsub.tf",
        SUB.format("extract"),
        r"\n\s*retry_policy \{[^}]*\}",
        "",
        "subscription extract: no retry_policy",
    ),
    Mutation(
        "subscription-dead-letter-removed",
        "pubsub.tf",
        SUB.format("assemble"),
        r"\n\s*dead_letter_policy \{[^}]*\}",
        "",
        "subscription assemble: no dead_letter_policy",
    ),
    Mutation(
        "dead-letter-topic-unread",
        "pubsub.tf",
        SUB.format("dead_letter"),
        r'resource "google_pubsub_subscription" "dead_letter"',
        'resource "google_pubsub_topic" "unused_letter"',
        "nothing subscribes to its dead-letter topic",
    ),
    Mutation(
        "dead-letter-before-code-gives-up",
        "variables.tf",
        'variable "max_delivery_attempts"',
        r"default(\s*)= 15",
        r"default\1= 6",
        "max_delivery_attempts 6 must be 5-100 and above",
    ),
    Mutation(
        "topic-renamed",
        "pubsub.tf",
        'resource "google_pubsub_topic" "documents"',
        r'name(\s*)= "documents"',
        r'name\1= "docs"',
        "topic 'documents' (CloudSettings.documents_topic) is not created",
    ),
    Mutation(
        "editor-granted",
        "iam.tf",
        "locals {",
        r'role = "roles/aiplatform.user" \}\n(\s*)\}',
        r'role = "roles/aiplatform.user" }\n\1  sweep_editor = { sa = "sweep", role = "roles/editor" }\n\1}',
        "roles/editor appears",
    ),
    Mutation(
        "vertex-for-assemble",
        "iam.tf",
        "locals {",
        r'classify_vertex(\s*)= \{ sa = "classify"',
        r'classify_vertex\1= { sa = "assemble"',
        "roles/aiplatform.user must go to exactly",
    ),
    Mutation(
        "secret-as-plain-env",
        "functions.tf",
        FN.format("assemble"),
        r'secrets(\s*)= \{ SENDGRID_API_KEY = "sendgrid_api_key" \}',
        r"secrets\1= {}",
        "assemble: sends mail but SENDGRID_API_KEY is not a secret",
    ),
    Mutation(
        "secret-value-in-plain-env",
        "functions.tf",
        FN.format("assemble"),
        r"(\n\s*)ZAPDOC_RETENTION_S(\s*)=",
        r'\1SENDGRID_API_KEY = "SG.not-secret"\1ZAPDOC_RETENTION_S\2=',
        "assemble: SENDGRID_API_KEY is a plain environment value",
    ),
    Mutation(
        "secret-reader-removed",
        "secrets.tf",
        "locals {",
        r"\n\s*assemble_sendgrid_api_key\s*=.*",
        "",
        "assemble: may not read the secret behind SENDGRID_API_KEY",
    ),
    Mutation(
        "entry-point-renamed",
        "functions.tf",
        FN_RESOURCE,
        r"entry_point(\s*)= each.key",
        r'entry_point\1= each.key == "classify" ? "classify_document" : each.key',
        "defines no function 'classify_document'",
    ),
    Mutation(
        "idempotency-ttl-removed",
        "firestore.tf",
        'resource "google_firestore_field" "idempotency_ttl"',
        r"\n\s*ttl_config \{\}",
        "",
        "no TTL policy on idempotency",
    ),
    Mutation(
        "jobs-listing-index-removed",
        "firestore.tf",
        "firestore_indexes = {",
        r"\n\s*jobs_by_user\s*=[^\n]*",
        "",
        "no composite index for jobs: user_id ==, created_at DESCENDING",
    ),
    Mutation(
        "purge-index-in-the-wrong-direction",
        "firestore.tf",
        "firestore_indexes = {",
        r'\["purge_after", "ASCENDING"\]',
        '["purge_after", "DESCENDING"]',
        "no composite index for jobs: purged ==, purge_after ASCENDING",
    ),
    Mutation(
        "index-on-a-collection-no-query-reads",
        "firestore.tf",
        "firestore_indexes = {",
        r'collection = "api_keys"',
        'collection = "api_key"',
        'google_firestore_index.query["api_keys_by_user"] serves no query the code runs',
    ),
    Mutation(
        "uploads-kept-for-a-month",
        "storage.tf",
        'resource "google_storage_bucket" "uploads"',
        r"age = 1\b",
        "age = 30",
        "uploads bucket must delete objects after a day",
    ),
    Mutation(
        "source-not-named-by-hash",
        "storage.tf",
        'resource "google_storage_bucket_object" "source"',
        r"-\$\{data\.archive_file\.source\[each\.key\]\.output_md5\}",
        "",
        "does not carry the archive's content hash",
    ),
    Mutation(
        "storage-agent-cannot-publish",
        "iam.tf",
        'resource "google_project_iam_member" "gcs_agent_publisher"',
        r'"roles/pubsub.publisher"',
        '"roles/pubsub.viewer"',
        "Cloud Storage service agent may not publish",
    ),
    Mutation(
        "own-service-account-shared",
        "functions.tf",
        FN_RESOURCE,
        r"service_account_email(\s*)= google_service_account.fn\[each.key\]",
        r'service_account_email\1= google_service_account.fn[each.key == "sweep" ? "assemble" : each.key]',
        "sweep: does not run as its own service account",
    ),
]


def mutated_copy(directory: Path, mutation: Mutation) -> Path:
    """A copy of terraform/ with ``mutation`` applied exactly once (so a mutation can never be a no-op)."""
    copy = directory / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform", ".build", "*.tfstate*"))
    path = copy / mutation.file
    text = path.read_text()
    start = text.index(mutation.anchor)
    line = mutation.anchor.lstrip("\n")  # the block closes at its own indentation (map entries too)
    closing = "\n" + " " * (len(line) - len(line.lstrip(" "))) + "}\n"
    end = text.find(closing, start)
    end = len(text) if end == -1 else end + len(closing)
    block, count = re.subn(mutation.pattern, mutation.replacement, text[start:end], count=1)
    assert count == 1, f"mutation {mutation.id} did not apply"
    path.write_text(text[:start] + block + text[end:])
    return copy


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_breaking_the_stack_is_caught(mutation: Mutation, tmp_path: Path) -> None:
    # GIVEN a copy of the stack with one deliberate defect
    broken = load_stack(mutated_copy(tmp_path, mutation))
    # WHEN every check runs on it
    problems = all_problems(broken)
    # THEN a check names the defect
    assert any(mutation.expected in p for p in problems), problems


def test_an_unchanged_copy_passes(tmp_path: Path) -> None:
    # The mutation tests compare against this: the copy itself introduces no problem.
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform", ".build"))
    assert all_problems(load_stack(copy)) == []


def test_the_evaluator_resolves_what_a_function_is_given(stack: Stack) -> None:
    # GIVEN assemble's environment as written in HCL (references, arithmetic, function calls)
    env = functions(stack)["assemble"].env
    # THEN it reads as the deployed values: topic names, computed numbers, its own account's email
    assert env["ZAPDOC_DOCUMENTS_TOPIC"] == "documents"
    assert env["ZAPDOC_RESULTS_TOPIC"] == "document-results"
    assert env["ZAPDOC_DOWNLOAD_LINK_TTL_S"] == str(7 * 86400)
    assert env["ZAPDOC_RETENTION_S"] == "0"
    assert env["ZAPDOC_SIGNER_EMAIL"].startswith("zapdoc-assemble@")
    assert env["ZAPDOC_UPLOADS_BUCKET"].endswith("-uploads")
