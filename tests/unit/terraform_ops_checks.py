"""Offline checks of the operations part of the stack (monitoring.tf, analytics.tf): the analytics
topic feeds BigQuery with the record the code builds, every alert the operator needs exists and notifies
the channel, log-based metrics read lines the code really writes, the dashboard shows the four views,
the budget notifies. Each check returns a list of problems (empty = fine), like terraform_checks."""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Callable
from typing import Any

from tests.unit.terraform_hcl import REPO, Stack, Unresolvable, attr, blocks

SHARED = REPO / "shared" / "zapdoc"
# Keys every log line of an invocation carries (bound by zapdoc.logging.invocation / bind).
BOUND_LOG_KEYS = {"function", "job_id", "document_id", "message_id", "event_id"}
CHANNEL = "google_monitoring_notification_channel"
POLICY = "google_monitoring_alert_policy"
USER_METRIC = re.compile(r"logging(?:\.googleapis\.com/user/|_googleapis_com:user_)([A-Za-z0-9_]+)")


def _text(value: Any) -> str:
    return str(value).replace('\\"', '"')


def _ref_name(stack: Stack, value: Any) -> str:
    """``${google_logging_metric.x.name}`` inside a string -> the evaluated metric names it mentions
    (a reference to a resource that does not exist stays as written)."""
    try:
        return _text(stack.evaluate(value)) if isinstance(value, str) else _text(value)
    except Unresolvable:
        return _text(value)


# --- what the code logs --------------------------------------------------------------------------


@functools.cache
def logged_lines() -> dict[str, frozenset[str]]:
    """Every ``event(logger, "message", ..., key=...)`` call in the package: message -> field names."""
    found: dict[str, set[str]] = {}
    for path in SHARED.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = ast.unparse(node.func)
            if name.split(".")[-1] not in ("event", "log_event"):
                continue
            message = node.args[1]
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                keys = found.setdefault(message.value, set())
                keys.update(k.arg for k in node.keywords if k.arg)
    return {m: frozenset(k) for m, k in found.items()}


def _filter_messages(filter_text: str) -> list[str]:
    m = re.search(r'jsonPayload\.message=(\("[^)]*"\)|"[^"]*")', filter_text)
    if not m:
        return []
    return re.findall(r'"([^"]*)"', m.group(1))


def _extracted_fields(body: dict[str, Any]) -> set[str]:
    texts = [str(attr(body, "value_extractor") or "")]
    for extractors in body.get("label_extractors") or []:
        if isinstance(extractors, dict):
            texts += [str(v) for v in extractors.values()]
    fields = set()
    for text in texts:
        fields.update(re.findall(r"jsonPayload\.([A-Za-z0-9_]+)", text))
    return fields


def check_log_metrics(stack: Stack) -> list[str]:
    """Every log-based metric counts a line the code writes and extracts fields that line carries."""
    problems: list[str] = []
    lines = logged_lines()
    for body in stack.of_type("google_logging_metric").values():
        name = str(attr(body, "name"))
        filter_text = _text(stack.evaluate(attr(body, "filter", "")))
        messages = _filter_messages(filter_text)
        if not messages:
            problems.append(f"log metric {name}: its filter names no jsonPayload.message")
        for message in messages:
            if message not in lines:
                problems.append(f"log metric {name}: the code never logs {message!r}")
                continue
            carried = lines[message] | BOUND_LOG_KEYS
            for field in sorted(_extracted_fields(body) - carried):
                problems.append(f"log metric {name}: the line {message!r} carries no field {field!r}")
        if 'service_name=~"^zapdoc-"' not in filter_text:
            problems.append(f"log metric {name}: does not restrict itself to ZapDoc's functions")
    return problems


# --- alerts ----------------------------------------------------------------------------------------


def _policies(stack: Stack) -> dict[str, dict[str, Any]]:
    return stack.of_type(POLICY)


def _conditions(stack: Stack, body: dict[str, Any]) -> list[str]:
    """The filter/query text of every condition of a policy (evaluated)."""
    out: list[str] = []
    for cond in blocks(body, "conditions"):
        for kind, key in (
            ("condition_threshold", "filter"),
            ("condition_prometheus_query_language", "query"),
            ("condition_absent", "filter"),
            ("condition_monitoring_query_language", "query"),
        ):
            for block in blocks(cond, kind):
                out.append(_ref_name(stack, attr(block, key, "")))
    return out


def _metric_names(stack: Stack) -> set[str]:
    return {str(attr(b, "name")) for b in stack.of_type("google_logging_metric").values()}


def _dead_letter_subscriptions(stack: Stack) -> list[str]:
    """Pull subscriptions of topics that receive dead letters."""
    subs = stack.of_type("google_pubsub_subscription")
    dlq_topics = {
        str(attr(blocks(b, "dead_letter_policy")[0], "dead_letter_topic"))
        for b in subs.values()
        if blocks(b, "dead_letter_policy")
    }
    return [
        str(stack.evaluate(attr(b, "name")))
        for b in subs.values()
        if str(attr(b, "topic")) in dlq_topics
        and not blocks(b, "push_config")
        and not blocks(b, "bigquery_config")
    ]


def _matches_subscription(filter_text: str, name: str) -> bool:
    if m := re.search(r'subscription_id\s*=\s*starts_with\("([^"]+)"\)', filter_text):
        return name.startswith(m.group(1))
    if m := re.search(r"subscription_id\s*=\s*one_of\(([^)]*)\)", filter_text):
        return name in re.findall(r'"([^"]+)"', m.group(1))
    if m := re.search(r'subscription_id\s*=\s*"([^"]+)"', filter_text):
        return name == m.group(1)
    return False


# What each required alert watches: a predicate on its condition texts, and how to say it is missing.
REQUIRED_ALERTS: dict[str, tuple[str, Callable[[Stack, list[str]], bool]]] = {
    "dead_letter": (
        "no alert on messages in every dead-letter subscription",
        lambda stack, conds: (
            bool(_dead_letter_subscriptions(stack))
            and all(
                any("num_undelivered_messages" in c and _matches_subscription(c, sub) for c in conds)
                for sub in _dead_letter_subscriptions(stack)
            )
        ),
    ),
    "function_errors": (
        "no alert on the functions' error rate (5xx share of run.googleapis.com/request_count)",
        lambda _stack, conds: any(
            "request_count" in c and "5xx" in c and ("/" in c or "denominator" in c) for c in conds
        ),
    ),
    "overdue_jobs": (
        "no alert on jobs older than their deadline (zapdoc_overdue_jobs)",
        lambda _stack, conds: any("zapdoc_overdue_jobs" in c for c in conds),
    ),
    "intake_rejections": (
        "no alert on intake rejections (zapdoc_job_outcomes with state rejected)",
        lambda _stack, conds: any(
            "zapdoc_job_outcomes" in c and re.search(r'state\s*=\s*"rejected"', c) for c in conds
        ),
    ),
    "llm_spend": (
        "no alert on LLM spend per day above var.llm_daily_spend_usd",
        lambda _stack, conds: any("zapdoc_llm_cost" in c and "[1d]" in c for c in conds),
    ),
}


def check_alerts(stack: Stack) -> list[str]:
    problems: list[str] = []
    channels = stack.of_type(CHANNEL)
    email_channels = [
        k
        for k, b in channels.items()
        if attr(b, "type") == "email" and "var." in str((attr(b, "labels") or {}).get("email_address", ""))
    ]
    if not email_channels:
        problems.append("no notification channel whose address comes from a variable")
    channel_refs = {f"${{{CHANNEL}.{k}.id}}" for k in email_channels}
    policies = _policies(stack)
    metrics = _metric_names(stack)
    for key, (missing, predicate) in REQUIRED_ALERTS.items():
        if not any(predicate(stack, _conditions(stack, b)) for b in policies.values()):
            problems.append(f"alert {key}: {missing}")
    for name, body in policies.items():
        notified = set(attr(body, "notification_channels") or [])
        if not notified & channel_refs:
            problems.append(f"alert policy {name}: notifies no channel of the operator")
        for cond in _conditions(stack, body):
            for ref in re.findall(r"google_logging_metric\.(\w+)\.", cond):
                if ref not in stack.of_type("google_logging_metric"):
                    problems.append(f"alert policy {name}: reads log metric {ref} that is not defined")
            for metric in USER_METRIC.findall(cond):
                base = re.sub(r"_(sum|count|bucket)$", "", metric)
                if metric not in metrics and base not in metrics:
                    problems.append(f"alert policy {name}: reads log metric {metric} that is not defined")
        docs = " ".join(str(attr(d, "content", "")) for d in blocks(body, "documentation"))
        if "docs/operations.md" not in docs:
            problems.append(f"alert policy {name}: its documentation does not point to docs/operations.md")
    return problems


def check_operations_doc(stack: Stack) -> list[str]:
    """docs/operations.md has a section (what it means, what to do) for every alert policy."""
    doc = REPO / "docs" / "operations.md"
    if not doc.is_file():
        return ["docs/operations.md is missing"]
    headings = {h.strip().lower() for h in re.findall(r"^###\s+(.+)$", doc.read_text(), flags=re.MULTILINE)}
    problems = []
    for name, body in _policies(stack).items():
        title = str(attr(body, "display_name", "")).removeprefix("ZapDoc: ").strip().lower()
        if title not in headings:
            problems.append(f"alert policy {name}: docs/operations.md has no '### {title}' section")
    return problems


# --- dashboard -------------------------------------------------------------------------------------

DASHBOARD_VIEWS = {
    "jobs per hour": "zapdoc_job_outcomes",
    "success rate": "zapdoc_document_outcomes",
    "latency per step": "zapdoc_step_latency",
    "spend": "zapdoc_llm_cost",
}


def dashboard_json(stack: Stack, body: dict[str, Any]) -> dict[str, Any] | None:
    raw = str(attr(body, "dashboard_json", ""))
    if m := re.search(r'file\("\$\{path\.module\}/([^"]+)"\)', raw):
        path = stack.directory / m.group(1)
        if not path.is_file():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    try:
        parsed: dict[str, Any] = json.loads(raw)
    except ValueError:
        return None
    return parsed


def _widgets(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "title" in node and any(k in node for k in ("xyChart", "scorecard", "timeSeriesTable")):
            found.append(node)
        for value in node.values():
            found += _widgets(value)
    elif isinstance(node, list):
        for value in node:
            found += _widgets(value)
    return found


def check_dashboard(stack: Stack) -> list[str]:
    dashboards = stack.of_type("google_monitoring_dashboard")
    if len(dashboards) != 1:
        return [f"exactly one Cloud Monitoring dashboard is required, found {len(dashboards)}"]
    name, body = next(iter(dashboards.items()))
    layout = dashboard_json(stack, body)
    if layout is None:
        return [f"dashboard {name}: its JSON cannot be read"]
    problems: list[str] = []
    widgets = _widgets(layout)
    metrics = _metric_names(stack)
    for view, metric in DASHBOARD_VIEWS.items():
        if not any(view in w["title"].lower() and metric in json.dumps(w) for w in widgets):
            problems.append(f"dashboard {name}: no '{view}' chart of {metric}")
    for widget in widgets:
        for metric in USER_METRIC.findall(json.dumps(widget)):
            base = re.sub(r"_(sum|count|bucket)$", "", metric)
            if metric not in metrics and base not in metrics:
                problems.append(f"dashboard chart {widget['title']!r}: log metric {metric} is not defined")
    return problems


# --- budget ----------------------------------------------------------------------------------------


def check_budget(stack: Stack) -> list[str]:
    budgets = stack.of_type("google_billing_budget")
    if not budgets:
        return ["no billing budget (google_billing_budget)"]
    problems: list[str] = []
    channels = {f"${{{CHANNEL}.{k}.id}}" for k in stack.of_type(CHANNEL)}
    for name, body in budgets.items():
        if "var." not in str(attr(body, "billing_account", "")):
            problems.append(f"budget {name}: the billing account does not come from a variable")
        amounts = [s for a in blocks(body, "amount") for s in blocks(a, "specified_amount")]
        if not amounts or "var." not in str(attr(amounts[0], "units", "")):
            problems.append(f"budget {name}: the amount does not come from a variable")
        if not blocks(body, "threshold_rules"):
            problems.append(f"budget {name}: no threshold rules, it never notifies")
        rules = blocks(body, "all_updates_rule")
        notified = set(attr(rules[0], "monitoring_notification_channels") or []) if rules else set()
        if not notified & channels:
            problems.append(f"budget {name}: does not notify the operator's channel")
        projects = [str(p) for f in blocks(body, "budget_filter") for p in (attr(f, "projects") or [])]
        if not any("data.google_project.this.number" in p for p in projects):
            problems.append(f"budget {name}: is not limited to this project")
    return problems


# --- analytics to BigQuery ---------------------------------------------------------------------------

BQ_TYPES = {
    str: {"STRING"},
    int: {"INT64", "INTEGER", "TIMESTAMP"},
    float: {"FLOAT64", "FLOAT", "NUMERIC"},
    bool: {"BOOL", "BOOLEAN"},
}


def _table_schema(stack: Stack, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    raw = str(attr(body, "schema", ""))
    if m := re.search(r'file\("\$\{path\.module\}/([^"]+)"\)', raw):
        path = stack.directory / m.group(1)
        loaded: list[dict[str, Any]] = json.loads(path.read_text()) if path.is_file() else []
        return loaded or None
    return None


def check_analytics(stack: Stack) -> list[str]:
    """The topic the code publishes analytics to has a BigQuery subscription into a table whose columns
    hold every field of the record the code builds; the Pub/Sub agent may write it; publishers are set."""
    from tests.unit import terraform_checks as tc
    from zapdoc.services import analytics

    problems: list[str] = []
    topics = stack.of_type("google_pubsub_topic")
    wanted = analytics.ANALYTICS_TOPIC
    topic_key = next((k for k, b in topics.items() if stack.evaluate(attr(b, "name")) == wanted), None)
    if topic_key is None:
        return [f"topic {wanted!r} for the analytics records is not created"]
    subs = [
        (name, body)
        for name, body in stack.of_type("google_pubsub_subscription").items()
        if str(attr(body, "topic")) == f"${{google_pubsub_topic.{topic_key}.id}}"
        and blocks(body, "bigquery_config")
    ]
    if not subs:
        problems.append(f"no BigQuery subscription writes topic {wanted!r} into a table")
    tables = stack.of_type("google_bigquery_table")
    record = analytics.sample_bigquery_row()
    for name, body in subs:
        config = blocks(body, "bigquery_config")[0]
        table_ref = str(attr(config, "table", ""))
        m = re.search(r"google_bigquery_table\.(\w+)\.table_id", table_ref)
        if not m or m.group(1) not in tables:
            problems.append(f"subscription {name}: writes to no table of this stack")
            continue
        if "google_bigquery_dataset." not in table_ref:
            problems.append(f"subscription {name}: the table name lacks its dataset")
        if attr(config, "use_table_schema") is not True:
            problems.append(f"subscription {name}: does not map the JSON fields to the table's columns")
        if not blocks(body, "dead_letter_policy"):
            problems.append(f"subscription {name}: no dead_letter_policy (a bad row would retry forever)")
        schema = _table_schema(stack, tables[m.group(1)])
        if schema is None:
            problems.append(f"table {m.group(1)}: no readable schema")
            continue
        columns = {str(c["name"]): str(c["type"]).upper() for c in schema}
        for column, value in record.items():
            if column not in columns:
                problems.append(f"table {m.group(1)}: no column {column!r} for the analytics record")
            elif value is not None and columns[column] not in BQ_TYPES[type(value)]:
                problems.append(
                    f"table {m.group(1)}: column {column!r} is {columns[column]}, the record sends "
                    f"{type(value).__name__}"
                )
        required = {str(c["name"]) for c in schema if str(c.get("mode", "")).upper() == "REQUIRED"}
        for column in sorted(required - {k for k, v in record.items() if v is not None}):
            problems.append(f"table {m.group(1)}: required column {column!r} is not always sent")
    writers = [
        b
        for b in stack.of_type("google_bigquery_dataset_iam_member").values()
        if attr(b, "role") in ("roles/bigquery.dataEditor", "roles/bigquery.dataOwner")
        and "local.pubsub_agent" in str(attr(b, "member"))
    ]
    if not writers:
        problems.append("the Pub/Sub service agent may not write the analytics dataset")
    all_grants = tc.grants(stack)
    for key, fn in tc.functions(stack).items():
        if key not in analytics.PUBLISHERS:
            continue
        if fn.env.get("ZAPDOC_ANALYTICS_TOPIC") != wanted:
            problems.append(f"{key}: ZAPDOC_ANALYTICS_TOPIC is not {wanted!r} (records never reach BigQuery)")
        if not any(
            g.role == "roles/pubsub.publisher"
            and g.member == f"serviceAccount:{fn.service_account}"
            and g.target == wanted
            for g in all_grants
        ):
            problems.append(f"{key}: may not publish to {wanted!r}")
    return problems


OPS_CHECKS: dict[str, Callable[[Stack], list[str]]] = {
    "log_metrics": check_log_metrics,
    "alerts": check_alerts,
    "operations_doc": check_operations_doc,
    "dashboard": check_dashboard,
    "budget": check_budget,
    "analytics": check_analytics,
}
