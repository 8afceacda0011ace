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
