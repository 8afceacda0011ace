# The sweep is the pipeline's safety net for dropped or exhausted events; it is idempotent, so an
# overlapping or retried run is harmless.
resource "google_cloud_scheduler_job" "sweep" {
  name             = "zapdoc-sweep"
  region           = var.region
  description      = "Runs the ZapDoc sweep function."
  schedule         = var.sweep_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "${var.timeout_seconds["sweep"]}s"

  retry_config {
    retry_count          = 1
    min_backoff_duration = "30s"
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn["sweep"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.fn["sweep"].service_config[0].uri
    }
  }

  depends_on = [google_project_service.enabled]
}
