# The eight gen2 functions. Each runs as its own service account, reads its settings from the
# environment (GOOGLE_CLOUD_PROJECT is not set by the platform, so it is set here) and its secrets from
# Secret Manager. Sources come from `zapdoc package`, uploaded under a content-hash name (storage.tf).

# Public HTTP API under /v1 (jobs, signed upload URLs, account, templates, API keys, checkout) and the
# web app: its source from `make package` carries the built static files (zapdoc/webapp), served from
# the same origin, so the page needs no CORS for the API (docs/deploy.md, "The web app").
resource "google_cloudfunctions2_function" "api" {
  #checkov:skip=CKV_GCP_124:Public ingress on purpose: the api is the public entry point for clients and browsers; every request is authenticated in code (Firebase ID token or API key).
  name        = "zapdoc-api"
  location    = var.region
  description = "Public HTTP API under /v1: jobs, signed upload URLs, account, templates, API keys, checkout."

  build_config {
    runtime         = "python311"
    entry_point     = "api"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["api"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["api"].email
    max_instance_count             = var.max_instances["api"]
    min_instance_count             = 0
    available_memory               = var.memory["api"]
    timeout_seconds                = var.timeout_seconds["api"]
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT        = var.project_id
      ZAPDOC_UPLOADS_BUCKET       = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET       = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC      = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC        = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM            = var.mail_from
      ZAPDOC_DOWNLOAD_LINK_TTL_S  = tostring(min(var.results_retention_days, 7) * 86400)
      ZAPDOC_SIGNER_EMAIL         = google_service_account.fn["api"].email
      ZAPDOC_ALLOWED_ORIGINS      = join(",", var.cors_origins)
      ZAPDOC_PUBLIC_URL           = var.public_url
      ZAPDOC_FIREBASE_API_KEY     = var.firebase_web_api_key
      ZAPDOC_FIREBASE_AUTH_DOMAIN = var.firebase_auth_domain
      ZAPDOC_CHECKOUT_SUCCESS_URL = var.checkout_success_url
      ZAPDOC_CHECKOUT_CANCEL_URL  = var.checkout_cancel_url
      ZAPDOC_CREDIT_PACKS         = var.credit_packs
      ZAPDOC_FREE_CREDITS         = tostring(var.free_credits)
      ZAPDOC_WEBHOOKS_TOPIC       = google_pubsub_topic.webhooks.name
    }

    secret_environment_variables {
      key        = "STRIPE_SECRET_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["stripe_secret_key"].secret_id
      version    = "latest"
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# Stripe webhook: verifies the signature, credits once per Checkout Session.
resource "google_cloudfunctions2_function" "stripe_webhook" {
  #checkov:skip=CKV_GCP_124:Public ingress on purpose: Stripe calls the webhook from the internet; every request is verified in code against the Stripe signature of the raw body.
  name        = "zapdoc-stripe-webhook"
  location    = var.region
  description = "Stripe webhook: verifies the signature, credits once per Checkout Session."

  build_config {
    runtime         = "python311"
    entry_point     = "stripe_webhook"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["stripe_webhook"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["stripe_webhook"].email
    max_instance_count             = var.max_instances["stripe_webhook"]
    min_instance_count             = 0
    available_memory               = var.memory["stripe_webhook"]
    timeout_seconds                = var.timeout_seconds["stripe_webhook"]
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT   = var.project_id
      ZAPDOC_UPLOADS_BUCKET  = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET  = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC   = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM       = var.mail_from
    }

    secret_environment_variables {
      key        = "STRIPE_WEBHOOK_SECRET"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["stripe_webhook_secret"].secret_id
      version    = "latest"
    }

    secret_environment_variables {
      key        = "SENDGRID_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["sendgrid_api_key"].secret_id
      version    = "latest"
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# Object finalize on the uploads bucket: inspect files, debit once, fan out documents.
resource "google_cloudfunctions2_function" "intake" {
  name        = "zapdoc-intake"
  location    = var.region
  description = "Object finalize on the uploads bucket: inspect files, debit once, fan out documents."

  build_config {
    runtime         = "python311"
    entry_point     = "intake"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["intake"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["intake"].email
    max_instance_count             = var.max_instances["intake"]
    min_instance_count             = 0
    available_memory               = var.memory["intake"]
    timeout_seconds                = var.timeout_seconds["intake"]
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT   = var.project_id
      ZAPDOC_UPLOADS_BUCKET  = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET  = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC   = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM       = var.mail_from
      ZAPDOC_ANALYTICS_TOPIC = google_pubsub_topic.analytics.name
      ZAPDOC_WEBHOOKS_TOPIC  = google_pubsub_topic.webhooks.name
    }

    secret_environment_variables {
      key        = "SENDGRID_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["sendgrid_api_key"].secret_id
      version    = "latest"
    }
  }

  # Retries on: a raised exception redelivers the event (with backoff, up to 24 h); the code acks
  # permanent failures and events older than ZAPDOC_EVENT_MAX_AGE_S.
  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.events.email

    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.uploads.name
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# Topic documents (push): extract the fields of one document with Gemini.
resource "google_cloudfunctions2_function" "extract" {
  name        = "zapdoc-extract"
  location    = var.region
  description = "Topic documents (push): extract the fields of one document with Gemini."

  build_config {
    runtime         = "python311"
    entry_point     = "extract"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["extract"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["extract"].email
    max_instance_count             = var.max_instances["extract"]
    min_instance_count             = 0
    available_memory               = var.memory["extract"]
    timeout_seconds                = var.timeout_seconds["extract"]
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT     = var.project_id
      ZAPDOC_UPLOADS_BUCKET    = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET    = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC   = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC     = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM         = var.mail_from
      ZAPDOC_LLM_PROVIDERS     = join(",", var.llm_providers)
      ZAPDOC_GEMINI_MODEL      = var.gemini_model
      ZAPDOC_GEMINI_LOCATION   = var.gemini_location
      ZAPDOC_OPENAI_BASE_URL   = var.openai_base_url
      ZAPDOC_OPENAI_MODEL      = var.openai_model
      ZAPDOC_DELIVERY_ATTEMPTS = "8"
    }

    # The fallback provider's key (docs/deploy.md: the secret needs a version before the first deploy).
    secret_environment_variables {
      key        = "ZAPDOC_OPENAI_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["openai_api_key"].secret_id
      version    = "latest"
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# Topic documents (push): classify one document with Gemini.
resource "google_cloudfunctions2_function" "classify" {
  name        = "zapdoc-classify"
  location    = var.region
  description = "Topic documents (push): classify one document with Gemini."

  build_config {
    runtime         = "python311"
    entry_point     = "classify"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["classify"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["classify"].email
    max_instance_count             = var.max_instances["classify"]
    min_instance_count             = 0
    available_memory               = var.memory["classify"]
    timeout_seconds                = var.timeout_seconds["classify"]
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT     = var.project_id
      ZAPDOC_UPLOADS_BUCKET    = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET    = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC   = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC     = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM         = var.mail_from
      ZAPDOC_LLM_PROVIDERS     = join(",", var.llm_providers)
      ZAPDOC_GEMINI_MODEL      = var.gemini_model
      ZAPDOC_GEMINI_LOCATION   = var.gemini_location
      ZAPDOC_OPENAI_BASE_URL   = var.openai_base_url
      ZAPDOC_OPENAI_MODEL      = var.openai_model
      ZAPDOC_DELIVERY_ATTEMPTS = "8"
    }

    # The fallback provider's key (docs/deploy.md: the secret needs a version before the first deploy).
    secret_environment_variables {
      key        = "ZAPDOC_OPENAI_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["openai_api_key"].secret_id
      version    = "latest"
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# Topic document-results (push): build, store and mail the workbook once per job.
resource "google_cloudfunctions2_function" "assemble" {
  name        = "zapdoc-assemble"
  location    = var.region
  description = "Topic document-results (push): build, store and mail the workbook once per job."

  build_config {
    runtime         = "python311"
    entry_point     = "assemble"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["assemble"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["assemble"].email
    max_instance_count             = var.max_instances["assemble"]
    min_instance_count             = 0
    available_memory               = var.memory["assemble"]
    timeout_seconds                = var.timeout_seconds["assemble"]
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT       = var.project_id
      ZAPDOC_UPLOADS_BUCKET      = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET      = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC     = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC       = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM           = var.mail_from
      ZAPDOC_ANALYTICS_TOPIC     = google_pubsub_topic.analytics.name
      ZAPDOC_WEBHOOKS_TOPIC      = google_pubsub_topic.webhooks.name
      ZAPDOC_DOWNLOAD_LINK_TTL_S = tostring(min(var.results_retention_days, 7) * 86400)
      ZAPDOC_RETENTION_S         = tostring(var.values_retention_hours * 3600)
      ZAPDOC_SIGNER_EMAIL        = google_service_account.fn["assemble"].email
    }

    secret_environment_variables {
      key        = "SENDGRID_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["sendgrid_api_key"].secret_id
      version    = "latest"
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# Topic zapdoc-webhooks (push): POST one signed job event to the user's endpoint; a failed attempt
# answers 5xx so Pub/Sub retries with backoff (pubsub.tf), the code gives up after a day.
resource "google_cloudfunctions2_function" "webhooks" {
  name        = "zapdoc-webhooks"
  location    = var.region
  description = "Topic zapdoc-webhooks (push): POST one signed job event to the user's endpoint, retried for a day."

  build_config {
    runtime         = "python311"
    entry_point     = "webhooks"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["webhooks"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["webhooks"].email
    max_instance_count             = var.max_instances["webhooks"]
    min_instance_count             = 0
    available_memory               = var.memory["webhooks"]
    timeout_seconds                = var.timeout_seconds["webhooks"]
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    # No ZAPDOC_WEBHOOK_ALLOW_LOOPBACK: the code refuses it on Cloud Functions; every URL must be https
    # and resolve to public addresses at each attempt (SSRF guard, domain/webhooks.py).
    environment_variables = {
      GOOGLE_CLOUD_PROJECT   = var.project_id
      ZAPDOC_UPLOADS_BUCKET  = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET  = google_storage_bucket.results.name
      ZAPDOC_WEBHOOKS_TOPIC  = google_pubsub_topic.webhooks.name
      ZAPDOC_PUBLIC_URL      = var.public_url
      ZAPDOC_SIGNER_EMAIL    = google_service_account.fn["webhooks"].email
      ZAPDOC_MAIL_FROM       = var.mail_from
      ZAPDOC_DOCUMENTS_TOPIC = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC   = google_pubsub_topic.results.name
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build,
  ]
}

# Cloud Scheduler (HTTP POST): cancel stale jobs, refund stuck documents, re-drive assembly.
resource "google_cloudfunctions2_function" "sweep" {
  name        = "zapdoc-sweep"
  location    = var.region
  description = "Cloud Scheduler (HTTP POST): cancel stale jobs, refund stuck documents, re-drive assembly."

  build_config {
    runtime         = "python311"
    entry_point     = "sweep"
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source["sweep"].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn["sweep"].email
    max_instance_count             = var.max_instances["sweep"]
    min_instance_count             = 0
    available_memory               = var.memory["sweep"]
    timeout_seconds                = var.timeout_seconds["sweep"]
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = {
      GOOGLE_CLOUD_PROJECT       = var.project_id
      ZAPDOC_UPLOADS_BUCKET      = google_storage_bucket.uploads.name
      ZAPDOC_RESULTS_BUCKET      = google_storage_bucket.results.name
      ZAPDOC_DOCUMENTS_TOPIC     = google_pubsub_topic.documents.name
      ZAPDOC_RESULTS_TOPIC       = google_pubsub_topic.results.name
      ZAPDOC_MAIL_FROM           = var.mail_from
      ZAPDOC_ANALYTICS_TOPIC     = google_pubsub_topic.analytics.name
      ZAPDOC_WEBHOOKS_TOPIC      = google_pubsub_topic.webhooks.name
      ZAPDOC_DOWNLOAD_LINK_TTL_S = tostring(min(var.results_retention_days, 7) * 86400)
      ZAPDOC_RETENTION_S         = tostring(var.values_retention_hours * 3600)
      ZAPDOC_SIGNER_EMAIL        = google_service_account.fn["sweep"].email
    }

    secret_environment_variables {
      key        = "SENDGRID_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.secret["sendgrid_api_key"].secret_id
      version    = "latest"
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

locals {
  # Cloud Run services behind the gen2 functions (same name as the function).
  function_services = {
    api            = google_cloudfunctions2_function.api.name
    stripe_webhook = google_cloudfunctions2_function.stripe_webhook.name
    intake         = google_cloudfunctions2_function.intake.name
    extract        = google_cloudfunctions2_function.extract.name
    classify       = google_cloudfunctions2_function.classify.name
    assemble       = google_cloudfunctions2_function.assemble.name
    sweep          = google_cloudfunctions2_function.sweep.name
    webhooks       = google_cloudfunctions2_function.webhooks.name
  }
}
