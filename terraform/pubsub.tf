# Topics the code publishes to (names must match CloudSettings: documents, document-results,
# zapdoc-webhooks).
resource "google_pubsub_topic" "documents" {
  #checkov:skip=CKV_GCP_83:Messages hold only job and document ids; Google-managed encryption is enough, a CMEK adds a KMS key to run.
  name       = "documents"
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "results" {
  #checkov:skip=CKV_GCP_83:Messages hold only job and document ids; Google-managed encryption is enough, a CMEK adds a KMS key to run.
  name       = "document-results"
  depends_on = [google_project_service.enabled]
}

# One message per job end event (its id only): the webhooks function POSTs it to the user's endpoint.
resource "google_pubsub_topic" "webhooks" {
  #checkov:skip=CKV_GCP_83:Messages hold only webhook event ids; Google-managed encryption is enough, a CMEK adds a KMS key to run.
  name       = "zapdoc-webhooks"
  depends_on = [google_project_service.enabled]
}

# Messages that failed max_delivery_attempts times land here and stay a week for inspection/replay.
resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Messages hold only job and document ids; Google-managed encryption is enough, a CMEK adds a KMS key to run.
  name       = "zapdoc-dead-letter"
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "dead_letter" {
  name                       = "zapdoc-dead-letter"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

# Push subscriptions deliver straight to the functions (with an OIDC token of the push identity), so
# Terraform owns their retry and dead-letter policies. A non-2xx answer (the function raised) is retried
# with backoff; after max_delivery_attempts the message goes to the dead-letter topic.
resource "google_pubsub_subscription" "extract" {
  name                       = "documents-extract"
  topic                      = google_pubsub_topic.documents.id
  ack_deadline_seconds       = 600
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["extract"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.fn["extract"].service_config[0].uri
    }
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
}

resource "google_pubsub_subscription" "classify" {
  name                       = "documents-classify"
  topic                      = google_pubsub_topic.documents.id
  ack_deadline_seconds       = 600
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["classify"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.fn["classify"].service_config[0].uri
    }
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
}

resource "google_pubsub_subscription" "assemble" {
  name                       = "document-results-assemble"
  topic                      = google_pubsub_topic.results.id
  ack_deadline_seconds       = 600
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["assemble"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.fn["assemble"].service_config[0].uri
    }
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
}

# Webhook events: an endpoint answering anything but 2xx is retried with backoff (10 s doubling up to
# 10 min) for a day: the messages are kept a day, up to 100 deliveries (about 16 h at the maximum
# backoff) before the dead-letter topic, then the sweep publishes a stale delivery again until the code
# gives up on it a day after the job ended (services/webhooks.py).
resource "google_pubsub_subscription" "webhooks" {
  name                       = "zapdoc-webhooks-deliver"
  topic                      = google_pubsub_topic.webhooks.id
  ack_deadline_seconds       = 60
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["webhooks"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.fn["webhooks"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.webhook_max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }
}

# Pub/Sub's service agent forwards undeliverable messages: it must publish to the dead-letter topic and
# acknowledge on the source subscriptions.
locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  pushed_subscriptions = {
    extract  = google_pubsub_subscription.extract.name
    classify = google_pubsub_subscription.classify.name
    assemble = google_pubsub_subscription.assemble.name
    webhooks = google_pubsub_subscription.webhooks.name
  }
}

resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.pushed_subscriptions

  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Pub/Sub signs the push OIDC tokens as the push identity.
resource "google_service_account_iam_member" "pubsub_agent_mints_push_tokens" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
