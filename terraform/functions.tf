# The eight gen2 functions: one resource over local.function_settings (folder = entry point = key;
# the function is zapdoc-<key, dashed>). Each runs as its own service account, reads its settings from the
# environment (GOOGLE_CLOUD_PROJECT is not set by the platform, so it is set here) and its secrets from
# Secret Manager. Sources come from `zapdoc package`, uploaded under a content-hash name (storage.tf).

locals {
  # Settings every function reads.
  function_env = {
    GOOGLE_CLOUD_PROJECT   = var.project_id
    ZAPDOC_UPLOADS_BUCKET  = google_storage_bucket.uploads.name
    ZAPDOC_RESULTS_BUCKET  = google_storage_bucket.results.name
    ZAPDOC_DOCUMENTS_TOPIC = google_pubsub_topic.documents.name
    ZAPDOC_RESULTS_TOPIC   = google_pubsub_topic.results.name
    ZAPDOC_MAIL_FROM       = var.mail_from
  }

  download_link_ttl_s = tostring(min(var.results_retention_days, 7) * 86400)

  # Per function: description, ingress, its own settings (merged over function_env), its secrets
  # (env name => key of google_secret_manager_secret.secret) and the buckets whose object finalize
  # triggers it (none: HTTP or push). Memory, timeout and max instances: var.memory, var.timeout_seconds
  # and var.max_instances (variables.tf).
  function_settings = {
    # Public HTTP API under /v1 (jobs, signed upload URLs, account, templates, API keys, checkout) and the
    # web app: its source from `make package` carries the built static files (zapdoc/webapp), served from
    # the same origin, so the page needs no CORS for the API (docs/deploy.md, "The web app").
    api = {
      description = "Public HTTP API under /v1: jobs, signed upload URLs, account, templates, API keys, checkout."
      ingress     = "ALLOW_ALL"
      env = {
        ZAPDOC_DOWNLOAD_LINK_TTL_S  = local.download_link_ttl_s
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
      secrets       = { STRIPE_SECRET_KEY = "stripe_secret_key" }
      event_buckets = []
    }

    # Stripe webhook: verifies the signature, credits once per Checkout Session.
    stripe_webhook = {
      description = "Stripe webhook: verifies the signature, credits once per Checkout Session."
      ingress     = "ALLOW_ALL"
      env         = {}
      secrets = {
        STRIPE_WEBHOOK_SECRET = "stripe_webhook_secret"
        SENDGRID_API_KEY      = "sendgrid_api_key"
      }
      event_buckets = []
    }

    # Object finalize on the uploads bucket: inspect files, debit once, fan out documents.
    intake = {
      description = "Object finalize on the uploads bucket: inspect files, debit once, fan out documents."
      ingress     = "ALLOW_INTERNAL_ONLY"
      env = {
        ZAPDOC_ANALYTICS_TOPIC = google_pubsub_topic.analytics.name
        ZAPDOC_WEBHOOKS_TOPIC  = google_pubsub_topic.webhooks.name
      }
      secrets       = { SENDGRID_API_KEY = "sendgrid_api_key" }
      event_buckets = [google_storage_bucket.uploads.name]
    }

    # Topic documents (push): extract the fields of one document with Gemini.
    extract = {
      description = "Topic documents (push): extract the fields of one document with Gemini."
      ingress     = "ALLOW_INTERNAL_ONLY"
      env = {
        ZAPDOC_LLM_PROVIDERS     = join(",", var.llm_providers)
        ZAPDOC_GEMINI_MODEL      = var.gemini_model
        ZAPDOC_GEMINI_LOCATION   = var.gemini_location
        ZAPDOC_OPENAI_BASE_URL   = var.openai_base_url
        ZAPDOC_OPENAI_MODEL      = var.openai_model
        ZAPDOC_DELIVERY_ATTEMPTS = "8"
      }
      # The fallback provider's key (docs/deploy.md: the secret needs a version before the first deploy).
      secrets       = { ZAPDOC_OPENAI_API_KEY = "openai_api_key" }
      event_buckets = []
    }

    # Topic documents (push): classify one document with Gemini.
    classify = {
      description = "Topic documents (push): classify one document with Gemini."
      ingress     = "ALLOW_INTERNAL_ONLY"
      env = {
        ZAPDOC_LLM_PROVIDERS     = join(",", var.llm_providers)
        ZAPDOC_GEMINI_MODEL      = var.gemini_model
        ZAPDOC_GEMINI_LOCATION   = var.gemini_location
        ZAPDOC_OPENAI_BASE_URL   = var.openai_base_url
        ZAPDOC_OPENAI_MODEL      = var.openai_model
        ZAPDOC_DELIVERY_ATTEMPTS = "8"
      }
      # The fallback provider's key (docs/deploy.md: the secret needs a version before the first deploy).
      secrets       = { ZAPDOC_OPENAI_API_KEY = "openai_api_key" }
      event_buckets = []
    }

    # Topic document-results (push): build, store and mail the workbook once per job.
    assemble = {
      description = "Topic document-results (push): build, store and mail the workbook once per job."
      ingress     = "ALLOW_INTERNAL_ONLY"
      env = {
        ZAPDOC_ANALYTICS_TOPIC     = google_pubsub_topic.analytics.name
        ZAPDOC_WEBHOOKS_TOPIC      = google_pubsub_topic.webhooks.name
        ZAPDOC_DOWNLOAD_LINK_TTL_S = local.download_link_ttl_s
        ZAPDOC_RETENTION_S         = tostring(var.values_retention_hours * 3600)
        ZAPDOC_SIGNER_EMAIL        = google_service_account.fn["assemble"].email
      }
      secrets       = { SENDGRID_API_KEY = "sendgrid_api_key" }
      event_buckets = []
    }

    # Topic zapdoc-webhooks (push): POST one signed job event to the user's endpoint; a failed attempt
    # answers 5xx so Pub/Sub retries with backoff (pubsub.tf), the code gives up after a day.
    # No ZAPDOC_WEBHOOK_ALLOW_LOOPBACK: the code refuses it on Cloud Functions; every URL must be https
    # and resolve to public addresses at each attempt (SSRF guard, domain/webhooks.py).
    webhooks = {
      description = "Topic zapdoc-webhooks (push): POST one signed job event to the user's endpoint, retried for a day."
      ingress     = "ALLOW_INTERNAL_ONLY"
      env = {
        ZAPDOC_WEBHOOKS_TOPIC = google_pubsub_topic.webhooks.name
        ZAPDOC_PUBLIC_URL     = var.public_url
        ZAPDOC_SIGNER_EMAIL   = google_service_account.fn["webhooks"].email
      }
      secrets       = {}
      event_buckets = []
    }

    # Cloud Scheduler (HTTP POST): cancel stale jobs, refund stuck documents, re-drive assembly.
    sweep = {
      description = "Cloud Scheduler (HTTP POST): cancel stale jobs, refund stuck documents, re-drive assembly."
      ingress     = "ALLOW_INTERNAL_ONLY"
      env = {
        ZAPDOC_ANALYTICS_TOPIC     = google_pubsub_topic.analytics.name
        ZAPDOC_WEBHOOKS_TOPIC      = google_pubsub_topic.webhooks.name
        ZAPDOC_DOWNLOAD_LINK_TTL_S = local.download_link_ttl_s
        ZAPDOC_RETENTION_S         = tostring(var.values_retention_hours * 3600)
        ZAPDOC_SIGNER_EMAIL        = google_service_account.fn["sweep"].email
      }
      secrets       = { SENDGRID_API_KEY = "sendgrid_api_key" }
      event_buckets = []
    }
  }
}

resource "google_cloudfunctions2_function" "fn" {
  #checkov:skip=CKV_GCP_124:Public ingress on purpose for api and stripe_webhook only (each.value.ingress; the others are ALLOW_INTERNAL_ONLY, tests/unit/terraform_checks.py PUBLIC_FUNCTIONS): the api authenticates every request in code (Firebase ID token or API key), the webhook verifies Stripe's signature over the raw body.
  for_each = local.function_settings

  name        = "zapdoc-${replace(each.key, "_", "-")}"
  location    = var.region
  description = each.value.description

  build_config {
    runtime         = "python311"
    entry_point     = each.key
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.fn[each.key].email
    max_instance_count             = var.max_instances[each.key]
    min_instance_count             = 0
    available_memory               = var.memory[each.key]
    timeout_seconds                = var.timeout_seconds[each.key]
    ingress_settings               = each.value.ingress
    all_traffic_on_latest_revision = true

    environment_variables = merge(local.function_env, each.value.env)

    dynamic "secret_environment_variables" {
      for_each = each.value.secrets
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  # Retries on: a raised exception redelivers the event (with backoff, up to 24 h); the code acks
  # permanent failures and events older than ZAPDOC_EVENT_MAX_AGE_S.
  dynamic "event_trigger" {
    for_each = each.value.event_buckets
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.storage.object.v1.finalized"
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.events.email

      event_filters {
        attribute = "bucket"
        value     = event_trigger.value
      }
    }
  }

  # Secrets must be readable and the build identity ready before the first deploy.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.reader,
    google_project_iam_member.build,
  ]
}

# State addresses of the one-resource-per-function layout (before the for_each): moved, not replaced.
moved {
  from = google_cloudfunctions2_function.api
  to   = google_cloudfunctions2_function.fn["api"]
}

moved {
  from = google_cloudfunctions2_function.stripe_webhook
  to   = google_cloudfunctions2_function.fn["stripe_webhook"]
}

moved {
  from = google_cloudfunctions2_function.intake
  to   = google_cloudfunctions2_function.fn["intake"]
}

moved {
  from = google_cloudfunctions2_function.extract
  to   = google_cloudfunctions2_function.fn["extract"]
}

moved {
  from = google_cloudfunctions2_function.classify
  to   = google_cloudfunctions2_function.fn["classify"]
}

moved {
  from = google_cloudfunctions2_function.assemble
  to   = google_cloudfunctions2_function.fn["assemble"]
}

moved {
  from = google_cloudfunctions2_function.webhooks
  to   = google_cloudfunctions2_function.fn["webhooks"]
}

moved {
  from = google_cloudfunctions2_function.sweep
  to   = google_cloudfunctions2_function.fn["sweep"]
}
