# Secret containers only: the values are added with gcloud (docs/deploy.md), so they never enter the
# Terraform state. Functions read them as secret environment variables, version "latest".
locals {
  secrets = {
    stripe_secret_key     = "zapdoc-stripe-secret-key"
    stripe_webhook_secret = "zapdoc-stripe-webhook-secret"
    sendgrid_api_key      = "zapdoc-sendgrid-api-key"
    openai_api_key        = "zapdoc-openai-api-key"
  }

  # Which function may read which secret (matches secret_environment_variables in functions.tf).
  secret_readers = {
    api_stripe_secret_key           = { sa = "api", secret = "stripe_secret_key" }
    stripe_webhook_webhook_secret   = { sa = "stripe_webhook", secret = "stripe_webhook_secret" }
    stripe_webhook_sendgrid_api_key = { sa = "stripe_webhook", secret = "sendgrid_api_key" }
    intake_sendgrid_api_key         = { sa = "intake", secret = "sendgrid_api_key" }
    assemble_sendgrid_api_key       = { sa = "assemble", secret = "sendgrid_api_key" }
    sweep_sendgrid_api_key          = { sa = "sweep", secret = "sendgrid_api_key" }
    extract_openai_api_key          = { sa = "extract", secret = "openai_api_key" }
    classify_openai_api_key         = { sa = "classify", secret = "openai_api_key" }
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  secret_id = each.value

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_iam_member" "reader" {
  for_each = local.secret_readers

  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn[each.value.sa].email}"
}
