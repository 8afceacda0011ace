output "web_url" {
  description = "The web app (served by the api function from its own origin); open it in a browser."
  value       = var.public_url
}

output "api_url" {
  description = "Base URL of the api function; clients call <api_url>/v1/... (zapdoc submit --api)."
  value       = google_cloudfunctions2_function.fn["api"].service_config[0].uri
}

output "stripe_webhook_url" {
  description = "URL to register as the Stripe webhook endpoint."
  value       = google_cloudfunctions2_function.fn["stripe_webhook"].service_config[0].uri
}

output "uploads_bucket" {
  description = "Bucket that receives the signed-URL uploads."
  value       = google_storage_bucket.uploads.name
}

output "results_bucket" {
  description = "Bucket that holds the delivered workbooks."
  value       = google_storage_bucket.results.name
}

output "dead_letter_subscription" {
  description = "Pull subscription holding messages that exhausted their delivery attempts."
  value       = google_pubsub_subscription.dead_letter.name
}

output "secret_ids" {
  description = "Secret Manager secrets to fill with gcloud secrets versions add."
  value       = { for k, s in google_secret_manager_secret.secret : k => s.secret_id }
}
