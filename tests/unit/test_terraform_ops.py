"""The operations part of the stack (alerts, dashboard, budget, BigQuery analytics), checked offline:
the real stack passes, and a copy with one piece removed or broken is caught (issue 14, acceptance 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.unit.terraform_checks import all_problems
from tests.unit.terraform_hcl import REPO, TERRAFORM_DIR, load_stack
from tests.unit.terraform_ops_checks import OPS_CHECKS, logged_lines
from tests.unit.test_terraform import Mutation, mutated_copy
from zapdoc.services import analytics

POLICY = 'resource "google_monitoring_alert_policy" "{}"'
METRIC = 'resource "google_logging_metric" "{}"'

MUTATIONS = [
    Mutation(
        "bigquery-subscription-removed",
        "analytics.tf",
        'resource "google_pubsub_subscription" "analytics_bigquery"',
        r"(?s)\n\s*bigquery_config \{.*?\n  \}",
        "",
        "no BigQuery subscription writes topic 'zapdoc-analytics'",
    ),
    Mutation(
        "bigquery-subscription-without-table-schema",
        "analytics.tf",
        'resource "google_pubsub_subscription" "analytics_bigquery"',
        r"use_table_schema(\s*)= true",
        r"use_table_schema\1= false",
        "does not map the JSON fields to the table's columns",
    ),
    Mutation(
        "bigquery-subscription-without-dead-letter",
        "analytics.tf",
        'resource "google_pubsub_subscription" "analytics_bigquery"',
        r"\n\s*dead_letter_policy \{[^}]*\}",
        "",
        "analytics_bigquery: no dead_letter_policy",
    ),
    Mutation(
        "analytics-topic-renamed",
        "analytics.tf",
        'resource "google_pubsub_topic" "analytics"',
        r'name(\s*)= "zapdoc-analytics"',
        r'name\1= "zapdoc-stats"',
        "topic 'zapdoc-analytics' for the analytics records is not created",
    ),
    Mutation(
        "pubsub-agent-cannot-write-bigquery",
        "analytics.tf",
        'resource "google_bigquery_dataset_iam_member" "pubsub_writer"',
        r'"roles/bigquery.dataEditor"',
        '"roles/bigquery.dataViewer"',
        "the Pub/Sub service agent may not write the analytics dataset",
    ),
    Mutation(
        "analytics-publisher-grant-removed",
        "analytics.tf",
        'resource "google_pubsub_topic_iam_member" "analytics_publisher"',
        r'"intake", "assemble", "sweep"',
        '"intake", "sweep"',
        "assemble: may not publish to 'zapdoc-analytics'",
    ),
    Mutation(
        "analytics-topic-not-given-to-assemble",
        "functions.tf",
        "\n    assemble = {\n",  # its entry in local.function_settings
        r"\n\s*ZAPDOC_ANALYTICS_TOPIC\s*=.*",
        "",
        "assemble: ZAPDOC_ANALYTICS_TOPIC is not 'zapdoc-analytics'",
    ),
    Mutation(
        "dead-letter-alert-removed",
        "monitoring.tf",
        POLICY.format("dead_letter"),
        r'resource "google_monitoring_alert_policy" "dead_letter"',
        'resource "google_monitoring_group" "dead_letter"',
        "alert dead_letter: no alert on messages in every dead-letter subscription",
    ),
    Mutation(
        "dead-letter-alert-misses-a-subscription",
        "monitoring.tf",
        POLICY.format("dead_letter"),
        r'starts_with\(\\"zapdoc-dead-letter\\"\)',
        r'starts_with(\\"zapdoc-dlq\\")',
        "alert dead_letter: no alert on messages in every dead-letter subscription",
    ),
    Mutation(
        "error-rate-alert-removed",
        "monitoring.tf",
        POLICY.format("function_errors"),
        r'resource "google_monitoring_alert_policy" "function_errors"',
        'resource "google_monitoring_group" "function_errors"',
        "alert function_errors: no alert on the functions' error rate",
    ),
    Mutation(
        "overdue-alert-removed",
        "monitoring.tf",
        POLICY.format("overdue_jobs"),
        r'resource "google_monitoring_alert_policy" "overdue_jobs"',
        'resource "google_monitoring_group" "overdue_jobs"',
        "alert overdue_jobs: no alert on jobs older than their deadline",
    ),
    Mutation(
        "rejections-alert-removed",
        "monitoring.tf",
        POLICY.format("intake_rejections"),
        r'resource "google_monitoring_alert_policy" "intake_rejections"',
        'resource "google_monitoring_group" "intake_rejections"',
        "alert intake_rejections: no alert on intake rejections",
    ),
    Mutation(
        "spend-alert-removed",
        "monitoring.tf",
        POLICY.format("llm_spend"),
        r'resource "google_monitoring_alert_policy" "llm_spend"',
        'resource "google_monitoring_group" "llm_spend"',
        "alert llm_spend: no alert on LLM spend per day",
    ),
    Mutation(
        "alert-notifies-nobody",
        "monitoring.tf",
        POLICY.format("intake_rejections"),
        r"\n\s*notification_channels\s*=.*",
        "",
        "alert policy intake_rejections: notifies no channel of the operator",
    ),
    Mutation(
        "channel-address-hard-coded",
        "monitoring.tf",
        'resource "google_monitoring_notification_channel" "ops"',
        r"email_address = var.alert_email",
        'email_address = "someone@example.com"',
        "no notification channel whose address comes from a variable",
    ),
    Mutation(
        "metric-reads-a-line-nobody-writes",
        "monitoring.tf",
        METRIC.format("overdue_jobs"),
        r'jsonPayload.message=\\"job overdue\\"',
        r'jsonPayload.message=\\"job late\\"',
        "log metric zapdoc_overdue_jobs: the code never logs 'job late'",
    ),
    Mutation(
        "metric-extracts-a-field-the-line-lacks",
        "monitoring.tf",
        METRIC.format("llm_cost"),
        r"EXTRACT\(jsonPayload.cost_usd\)",
        "EXTRACT(jsonPayload.spend)",
        "log metric zapdoc_llm_cost: the line 'document extracted' carries no field 'spend'",
    ),
    Mutation(
        "metric-behind-an-alert-removed",
        "monitoring.tf",
        METRIC.format("job_outcomes"),
        r'resource "google_logging_metric" "job_outcomes"',
        'resource "google_logging_metric" "job_outcomes_old"',
        "alert policy intake_rejections: reads log metric job_outcomes that is not defined",
    ),
    Mutation(
        "dashboard-removed",
        "monitoring.tf",
        'resource "google_monitoring_dashboard" "ops"',
        r'resource "google_monitoring_dashboard" "ops"',
        'resource "google_monitoring_group" "ops_dashboard"',
        "exactly one Cloud Monitoring dashboard is required, found 0",
    ),
    Mutation(
        "budget-removed",
        "monitoring.tf",
        'resource "google_billing_budget" "project"',
        r'resource "google_billing_budget" "project"',
        'resource "google_monitoring_group" "project_budget"',
        "no billing budget",
    ),
    Mutation(
        "budget-notifies-nobody",
        "monitoring.tf",
        'resource "google_billing_budget" "project"',
        r"\n\s*monitoring_notification_channels\s*=.*",
        "",
        "budget project: does not notify the operator's channel",
    ),
    Mutation(
        "budget-without-thresholds",
        "monitoring.tf",
        'resource "google_billing_budget" "project"',
        r"(\n\s*threshold_rules \{[^}]*\}\n)+",
        "\n",
        "budget project: no threshold rules",
    ),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_breaking_the_operations_stack_is_caught(mutation: Mutation, tmp_path: Path) -> None:
    # GIVEN a copy of the stack with one operations piece removed or broken
    broken = load_stack(mutated_copy(tmp_path, mutation))
    # WHEN every check runs THEN one names the defect
    problems = all_problems(broken)
    assert any(mutation.expected in p for p in problems), problems


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform", ".build"))
    return copy


def test_the_real_operations_stack_passes() -> None:
    stack = load_stack()
    assert {name: check(stack) for name, check in OPS_CHECKS.items()} == {name: [] for name in OPS_CHECKS}


def test_a_table_column_the_record_needs_is_caught(tmp_path: Path) -> None:
    # GIVEN the table schema without the doc_type column the analytics record sends
    copy = _copy(tmp_path)
    schema = json.loads((copy / "analytics_schema.json").read_text())
    (copy / "analytics_schema.json").write_text(json.dumps([c for c in schema if c["name"] != "doc_type"]))
    # THEN the analytics check says the table cannot hold the record
    assert "table documents: no column 'doc_type' for the analytics record" in all_problems(load_stack(copy))


def test_a_column_of_the_wrong_type_is_caught(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    schema = json.loads((copy / "analytics_schema.json").read_text())
    for column in schema:
        if column["name"] == "pages":
            column["type"] = "STRING"
    (copy / "analytics_schema.json").write_text(json.dumps(schema))
    problems = all_problems(load_stack(copy))
    assert "table documents: column 'pages' is STRING, the record sends int" in problems


def test_a_dashboard_without_the_latency_chart_is_caught(tmp_path: Path) -> None:
    # GIVEN the dashboard JSON without its latency-per-step chart
    copy = _copy(tmp_path)
    board = json.loads((copy / "dashboard.json").read_text())
    tiles = board["mosaicLayout"]["tiles"]
    board["mosaicLayout"]["tiles"] = [t for t in tiles if "Latency" not in t["widget"]["title"]]
    (copy / "dashboard.json").write_text(json.dumps(board))
    # THEN the dashboard check misses it
    expected = "dashboard ops: no 'latency per step' chart of zapdoc_step_latency"
    assert expected in all_problems(load_stack(copy))


def test_an_alert_without_its_operations_section_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN docs/operations.md without the section of one alert
    from tests.unit import terraform_ops_checks

    doc = (REPO / "docs" / "operations.md").read_text()
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "operations.md").write_text(doc.replace("### LLM spend per day", "### Spending"))
    monkeypatch.setattr(terraform_ops_checks, "REPO", repo)
    # THEN the check names the alert left undocumented
    problems = terraform_ops_checks.check_operations_doc(load_stack())
    assert problems == ["alert policy llm_spend: docs/operations.md has no '### llm spend per day' section"]


def test_the_logged_lines_the_metrics_read_carry_their_fields() -> None:
    # The static reading of the code agrees with what the services log (a sanity check of the reader).
    lines = logged_lines()
    assert {"state", "cost_usd", "model"} <= lines["document extracted"]
    assert {"state"} <= lines["job overdue"]
    assert "seconds" in lines["handled"]


def test_the_record_sent_to_bigquery_has_no_content_fields() -> None:
    # Privacy: the row is type/status/pages/timings/usage only.
    assert set(analytics.sample_bigquery_row()) == {
        "record_id", "at", "job_id", "document_id", "job_status", "doc_type", "status", "failure_reason",
        "pages", "extract_seconds", "classify_seconds", "job_seconds", "provider", "model",
        "prompt_tokens", "output_tokens", "cost_usd",
    }  # fmt: skip
