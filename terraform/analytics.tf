# Usage analytics in BigQuery: assemble (and the sweep, which re-drives it) publishes one record per
# document when a job ends to topic zapdoc-analytics; a BigQuery subscription writes each message as a
# row of zapdoc_analytics.documents (columns = analytics_schema.json, the same record the code builds).
# Records hold type, status, pages, timings, tokens and cost only: never a value, file name or email.
resource "google_project_service" "ops" {
  for_each = toset([
    "bigquery.googleapis.com",
    "billingbudgets.googleapis.com",
    "monitoring.googleapis.com",
  ])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_bigquery_dataset" "analytics" {
  #checkov:skip=CKV_GCP_81:Rows hold counts, timings and opaque ids only (no document content); Google-managed encryption is enough.
  dataset_id                 = "zapdoc_analytics"
  friendly_name              = "ZapDoc usage analytics"
  description                = "One row per document and job end: type, status, pages, latency, LLM tokens and cost. No document content."
  location                   = var.analytics_location
  delete_contents_on_destroy = false

  depends_on = [google_project_service.ops]
}

resource "google_bigquery_table" "documents" {
  #checkov:skip=CKV_GCP_80:Rows hold counts, timings and opaque ids only (no document content); Google-managed encryption is enough.
  dataset_id          = google_bigquery_dataset.analytics.dataset_id
  table_id            = "documents"
  description         = "Analytics record per document (deduplicate on record_id: Pub/Sub delivers at least once)."
  deletion_protection = true
  schema              = file("${path.module}/analytics_schema.json")

  time_partitioning {
    type          = "DAY"
    field         = "at"
    expiration_ms = var.analytics_retention_days * 86400000
  }

  clustering = ["doc_type", "status"]
}

resource "google_pubsub_topic" "analytics" {
  #checkov:skip=CKV_GCP_83:Messages hold counts, timings and opaque ids only; Google-managed encryption is enough.
  name                       = "zapdoc-analytics"
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.enabled]
}

# Pub/Sub writes each message's JSON into the table's columns (use_table_schema); a message that does
# not fit is retried and then dead-lettered, where the dead-letter alert sees it.
resource "google_pubsub_subscription" "analytics_bigquery" {
  name  = "zapdoc-analytics-bigquery"
  topic = google_pubsub_topic.analytics.id

  bigquery_config {
    table               = "${var.project_id}.${google_bigquery_dataset.analytics.dataset_id}.${google_bigquery_table.documents.table_id}"
    use_table_schema    = true
    drop_unknown_fields = true
    write_metadata      = false
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_bigquery_dataset_iam_member.pubsub_writer,
    google_pubsub_topic_iam_member.dead_letter_publisher,
  ]
}

# The Pub/Sub service agent writes the rows (the subscription has no service account of its own) and
# acknowledges dead-lettered messages on this subscription.
resource "google_bigquery_dataset_iam_member" "pubsub_writer" {
  dataset_id = google_bigquery_dataset.analytics.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "analytics_dead_letter_subscriber" {
  subscription = google_pubsub_subscription.analytics_bigquery.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Who publishes analytics records: the functions that end jobs (intake rejects, assemble delivers, sweep
# cancels and re-drives assembly).
resource "google_pubsub_topic_iam_member" "analytics_publisher" {
  for_each = toset(["intake", "assemble", "sweep"])

  topic  = google_pubsub_topic.analytics.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}
