# Alerts, log-based metrics and the operations dashboard. docs/operations.md says what each alert
# means and what to do. Every policy notifies the channel made from var.alert_email.
resource "google_monitoring_notification_channel" "ops" {
  display_name = "ZapDoc operator"
  type         = "email"

  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.ops]
}

# --- log-based metrics (from the functions' structured JSON logs) ---------------------------------
locals {
  # Lines written by ZapDoc's functions (gen2 functions log as Cloud Run revisions named zapdoc-*).
  zapdoc_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=~\"^zapdoc-\""
}

# Jobs reaching an end state (delivered, rejected, cancelled): jobs per hour, rejections.
resource "google_logging_metric" "job_outcomes" {
  name        = "zapdoc_job_outcomes"
  description = "ZapDoc jobs reaching an end state, by state."
  filter      = "${local.zapdoc_logs} AND jsonPayload.message=\"job state changed\" AND jsonPayload.state=(\"delivered\" OR \"rejected\" OR \"cancelled\")"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "ZapDoc job outcomes"

    labels {
      key         = "state"
      value_type  = "STRING"
      description = "delivered, rejected or cancelled"
    }
  }

  label_extractors = {
    state = "EXTRACT(jsonPayload.state)"
  }
}

# Documents extracted (state done) or failed (refunded): the success rate.
resource "google_logging_metric" "document_outcomes" {
  name        = "zapdoc_document_outcomes"
  description = "ZapDoc documents extracted (done) or failed (pages refunded)."
  filter      = "${local.zapdoc_logs} AND jsonPayload.message=(\"document extracted\" OR \"document failed\")"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "ZapDoc document outcomes"

    labels {
      key         = "state"
      value_type  = "STRING"
      description = "done or failed"
    }
  }

  label_extractors = {
    state = "EXTRACT(jsonPayload.state)"
  }
}

# Seconds per handled event, by function: latency per step.
resource "google_logging_metric" "step_latency" {
  name            = "zapdoc_step_latency"
  description     = "Seconds a ZapDoc function took per handled event, by function (step)."
  filter          = "${local.zapdoc_logs} AND jsonPayload.message=\"handled\""
  value_extractor = "EXTRACT(jsonPayload.seconds)"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "s"
    display_name = "ZapDoc step latency"

    labels {
      key         = "function"
      value_type  = "STRING"
      description = "intake, extract, classify, assemble, ..."
    }
  }

  label_extractors = {
    function = "EXTRACT(jsonPayload.function)"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 40
      growth_factor      = 1.4
      scale              = 0.01
    }
  }
}

# Estimated LLM cost per extracted document (USD, from the price table), by model: spend per day.
resource "google_logging_metric" "llm_cost" {
  name            = "zapdoc_llm_cost"
  description     = "Estimated LLM cost in USD per extracted ZapDoc document, by model."
  filter          = "${local.zapdoc_logs} AND jsonPayload.message=\"document extracted\" AND jsonPayload.cost_usd>0"
  value_extractor = "EXTRACT(jsonPayload.cost_usd)"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "USD"
    display_name = "ZapDoc LLM cost"

    labels {
      key         = "model"
      value_type  = "STRING"
      description = "LLM model that answered"
    }
  }

  label_extractors = {
    model = "EXTRACT(jsonPayload.model)"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 30
      growth_factor      = 2
      scale              = 0.00001
    }
  }
}

# The sweep logs one line per job still unfinished past its deadline (file arrival + processing).
resource "google_logging_metric" "overdue_jobs" {
  name        = "zapdoc_overdue_jobs"
  description = "ZapDoc jobs the sweep found unfinished past their deadline."
  filter      = "${local.zapdoc_logs} AND jsonPayload.message=\"job overdue\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "ZapDoc overdue jobs"

    labels {
      key         = "state"
      value_type  = "STRING"
      description = "the state the job is stuck in"
    }
  }

  label_extractors = {
    state = "EXTRACT(jsonPayload.state)"
  }
}

# --- alert policies (docs/operations.md has a section per display name) --------------------------

resource "google_monitoring_alert_policy" "dead_letter" {
  display_name          = "ZapDoc: messages in a dead-letter subscription"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.ops.id]

  conditions {
    display_name = "undelivered messages in zapdoc-dead-letter*"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.label.subscription_id = starts_with(\"zapdoc-dead-letter\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    content   = "A message exhausted its delivery attempts. See docs/operations.md, section \"Messages in a dead-letter subscription\"."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "function_errors" {
  display_name          = "ZapDoc: function error rate"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.ops.id]

  conditions {
    display_name = "share of 5xx answers per function above ${var.function_error_rate}"

    condition_prometheus_query_language {
      query      = "sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",service_name=~\"zapdoc-.*\",response_code_class=\"5xx\"}[10m])) / sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",service_name=~\"zapdoc-.*\"}[10m])) > ${var.function_error_rate}"
      duration   = "600s"
      rule_group = "zapdoc"
      alert_rule = "FunctionErrorRate"
    }
  }

  documentation {
    content   = "A function answers 5xx (raises) too often. See docs/operations.md, section \"Function error rate\"."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "overdue_jobs" {
  display_name          = "ZapDoc: jobs older than their deadline"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.ops.id]

  conditions {
    display_name = "the sweep found overdue jobs"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.overdue_jobs.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "900s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    content   = "Jobs are unfinished past their deadline although the sweep runs. See docs/operations.md, section \"Jobs older than their deadline\"."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "intake_rejections" {
  display_name          = "ZapDoc: intake rejections spiking"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.ops.id]

  conditions {
    display_name = "more than ${var.rejections_per_hour} jobs rejected in an hour"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.job_outcomes.name}\" AND metric.label.state = \"rejected\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.rejections_per_hour
      duration        = "0s"

      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    content   = "Many jobs are rejected at intake (not enough credits). See docs/operations.md, section \"Intake rejections spiking\"."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "llm_spend" {
  display_name          = "ZapDoc: LLM spend per day"
  combiner              = "OR"
  notification_channels = [google_monitoring_notification_channel.ops.id]

  conditions {
    display_name = "estimated LLM cost over the last 24 hours above ${var.llm_daily_spend_usd} USD"

    condition_prometheus_query_language {
      query      = "sum(increase(logging_googleapis_com:user_${google_logging_metric.llm_cost.name}_sum{monitored_resource=\"cloud_run_revision\"}[1d])) > ${var.llm_daily_spend_usd}"
      duration   = "0s"
      rule_group = "zapdoc"
      alert_rule = "LlmDailySpend"
    }
  }

  documentation {
    content   = "The estimated LLM cost of the last 24 hours is above var.llm_daily_spend_usd. See docs/operations.md, section \"LLM spend per day\"."
    mime_type = "text/markdown"
  }
}

# --- billing budget (the whole project's spend, not only the LLM) --------------------------------

resource "google_billing_budget" "project" {
  billing_account = var.billing_account
  display_name    = "ZapDoc ${var.project_id} monthly budget"

  budget_filter {
    projects = ["projects/${data.google_project.this.number}"]
  }

  amount {
    specified_amount {
      currency_code = var.budget_currency
      units         = tostring(var.monthly_budget)
    }
  }

  threshold_rules {
    threshold_percent = 0.5
  }

  threshold_rules {
    threshold_percent = 0.9
  }

  threshold_rules {
    threshold_percent = 1.0
    spend_basis       = "FORECASTED_SPEND"
  }

  all_updates_rule {
    monitoring_notification_channels = [google_monitoring_notification_channel.ops.id]
    disable_default_iam_recipients   = false
  }

  depends_on = [google_project_service.ops]
}

# --- dashboard -----------------------------------------------------------------------------------

resource "google_monitoring_dashboard" "ops" {
  dashboard_json = file("${path.module}/dashboard.json")

  depends_on = [
    google_logging_metric.job_outcomes,
    google_logging_metric.document_outcomes,
    google_logging_metric.step_latency,
    google_logging_metric.llm_cost,
  ]
}
