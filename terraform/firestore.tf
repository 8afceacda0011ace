resource "google_firestore_database" "main" {
  project                           = var.project_id
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON"

  depends_on = [google_project_service.enabled]
}

# Idempotency records carry expires_at; Firestore deletes them (typically within a day) once it passes.
resource "google_firestore_field" "idempotency_ttl" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = "idempotency"
  field      = "expires_at"

  ttl_config {}

  # A TTL field needs no index: exempting it avoids a hot, ever-increasing timestamp index.
  index_config {}
}

# Circuit-breaker records of the LLM providers (shared by the function instances) expire the same way.
resource "google_firestore_field" "llm_breakers_ttl" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = "llm_breakers"
  field      = "expires_at"

  ttl_config {}

  index_config {}
}

# Composite indexes of the ordered queries the code runs (services/jobs, api_keys, sweep, webhooks): each
# reads a page or a batch in index order, never a whole collection. tests/unit/terraform_checks.py
# (check_firestore_indexes) runs those code paths on a recording store and fails when one is missing.
# A trailing document-id order (__name__) follows the last field's direction, as Firestore's implicit one.
locals {
  firestore_indexes = {
    # GET /v1/jobs: the caller's jobs, newest first
    jobs_by_user = { collection = "jobs", fields = [["user_id", "ASCENDING"], ["created_at", "DESCENDING"]] }
    # GET /v1/api-keys: the caller's keys, newest first
    api_keys_by_user = { collection = "api_keys", fields = [["user_id", "ASCENDING"], ["created_at", "DESCENDING"]] }
    # sweep: files overdue (awaiting_files) and overdue jobs of every unfinished state, by deadline
    jobs_due_by_deadline = { collection = "jobs", fields = [["status", "ASCENDING"], ["deadline_at", "ASCENDING"]] }
    # sweep: held jobs, longest held first
    jobs_held_since = { collection = "jobs", fields = [["status", "ASCENDING"], ["held_at", "ASCENDING"]] }
    # sweep: running and assembling jobs, least recently changed first
    jobs_by_status_updated = { collection = "jobs", fields = [["status", "ASCENDING"], ["updated_at", "ASCENDING"]] }
    # sweep: ended jobs whose retention has passed, oldest first
    jobs_purge_due = { collection = "jobs", fields = [["purged", "ASCENDING"], ["purge_after", "ASCENDING"]] }
    # sweep: webhook deliveries idle too long (never attempted / last attempt)
    webhooks_pending_since  = { collection = "webhook_deliveries", fields = [["state", "ASCENDING"], ["created_at", "ASCENDING"]] }
    webhooks_retrying_since = { collection = "webhook_deliveries", fields = [["state", "ASCENDING"], ["last_attempt_at", "ASCENDING"]] }
  }
}

resource "google_firestore_index" "query" {
  for_each = local.firestore_indexes

  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collection
  query_scope = "COLLECTION"

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value[0]
      order      = fields.value[1]
    }
  }
}
