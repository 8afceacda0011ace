variable "project_id" {
  description = "Google Cloud project that hosts ZapDoc (billing enabled)."
  type        = string
}

variable "region" {
  description = "Region of the functions, buckets, Scheduler job and Eventarc trigger."
  type        = string
  default     = "europe-west1"
}

variable "firestore_location" {
  description = "Location of the Firestore database (a multi-region such as eur3 or nam5, or a region)."
  type        = string
  default     = "eur3"
}

variable "enable_firebase" {
  description = "Add Firebase to the project so Firebase Authentication can issue the ID tokens the api verifies."
  type        = bool
  default     = true
}

variable "mail_from" {
  description = "Sender of result mails, a SendGrid-verified sender, e.g. \"ZapDoc <results@example.com>\"."
  type        = string

  validation {
    condition     = can(regex("@", var.mail_from)) && !can(regex("zapdoc\\.example", var.mail_from))
    error_message = "mail_from must be a real, SendGrid-verified sender address."
  }
}

variable "checkout_success_url" {
  description = "Page Stripe Checkout returns to after a purchase (your web app or a thank-you page)."
  type        = string

  validation {
    condition     = startswith(var.checkout_success_url, "https://")
    error_message = "checkout_success_url must be an https:// URL."
  }
}

variable "checkout_cancel_url" {
  description = "Page Stripe Checkout returns to when the buyer cancels."
  type        = string

  validation {
    condition     = startswith(var.checkout_cancel_url, "https://")
    error_message = "checkout_cancel_url must be an https:// URL."
  }
}

variable "cors_origins" {
  description = "Other browser origins (besides the web app's own) allowed to call the api, PUT to the signed upload URLs and fetch workbooks."
  type        = list(string)
  default     = []
}

variable "public_url" {
  description = "Where users open the web app (served by the api function): its base URL, e.g. https://europe-west1-<project>.cloudfunctions.net/zapdoc-api or a custom domain. Mails link to <public_url>/#/jobs/<id>; its origin is always allowed by the buckets' CORS."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+", var.public_url))
    error_message = "public_url must be an https:// URL."
  }
}

variable "firebase_web_api_key" {
  description = "Web API key of the project's Firebase web app (public, not a secret: Firebase console > Project settings > Your apps), used by the web app to sign in."
  type        = string
  default     = ""
}

variable "firebase_auth_domain" {
  description = "Firebase Auth domain of the web app's sign-in (default <project>.firebaseapp.com); add the public_url host to Authentication > Settings > Authorized domains."
  type        = string
  default     = ""
}

variable "results_retention_days" {
  description = "Days a workbook stays in the results bucket (lifecycle); download links live at most this long (7 days maximum for V4 URLs)."
  type        = number
  default     = 7

  validation {
    condition     = var.results_retention_days >= 1 && var.results_retention_days <= 365
    error_message = "results_retention_days must be between 1 and 365."
  }
}

variable "values_retention_hours" {
  description = "Hours extracted values stay in Firestore after delivery (0 = purged at delivery)."
  type        = number
  default     = 0
}

variable "gemini_model" {
  description = "Gemini model on Vertex AI used by extract and classify (chosen for cost; documents that fail validation escalate to ZAPDOC_GEMINI_ESCALATION_MODEL, default gemini-3.5-flash)."
  type        = string
  default     = "gemini-3.1-flash-lite"
}

variable "llm_providers" {
  description = "LLM provider chain tried in order per document (ZAPDOC_LLM_PROVIDERS). The zapdoc-openai-api-key secret needs a version before deploying (the functions read it)."
  type        = list(string)
  default     = ["gemini", "openai"]

  validation {
    condition     = length(var.llm_providers) > 0 && alltrue([for p in var.llm_providers : contains(["gemini", "openai"], p)])
    error_message = "llm_providers lists gemini and/or openai."
  }
}

variable "openai_base_url" {
  description = "OpenAI-compatible endpoint of the fallback provider (empty = api.openai.com)."
  type        = string
  default     = ""
}

variable "openai_model" {
  description = "Model of the OpenAI-compatible fallback provider."
  type        = string
  default     = "gpt-4o-mini"
}

variable "gemini_location" {
  description = "Vertex AI location of the Gemini model (global, or a region to keep processing in one place)."
  type        = string
  default     = "global"
}

variable "credit_packs" {
  description = "Credit packs sold through Stripe Checkout: id:credits:amount_minor:currency, comma separated (empty = the code's default packs)."
  type        = string
  default     = ""
}

variable "free_credits" {
  description = "Credits granted once to each new account."
  type        = number
  default     = 20
}

variable "max_delivery_attempts" {
  description = "Pub/Sub deliveries of one message before it goes to the dead-letter topic (5-100); above the code's own attempt limit so the code records the failure first."
  type        = number
  default     = 15

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (a Pub/Sub limit)."
  }
}

variable "webhook_max_delivery_attempts" {
  description = "Pub/Sub deliveries of one webhook event before the dead-letter topic (5-100); with 10 s to 10 min backoff, 100 is about 16 h, after which the sweep re-publishes until the code gives up at a day."
  type        = number
  default     = 100

  validation {
    condition     = var.webhook_max_delivery_attempts >= 5 && var.webhook_max_delivery_attempts <= 100
    error_message = "webhook_max_delivery_attempts must be between 5 and 100 (a Pub/Sub limit)."
  }
}

variable "max_instances" {
  description = "Maximum instances per function (caps spend and the load on Gemini and SendGrid)."
  type        = map(number)
  default = {
    api            = 10
    stripe_webhook = 3
    intake         = 10
    extract        = 20
    classify       = 10
    assemble       = 5
    sweep          = 1
    webhooks       = 5
  }
}

variable "timeout_seconds" {
  description = "Request timeout per function in seconds; functions fed by Pub/Sub or Eventarc stay at or below 540."
  type        = map(number)
  default = {
    api            = 60
    stripe_webhook = 60
    intake         = 540
    extract        = 540
    classify       = 300
    assemble       = 540
    sweep          = 540
    webhooks       = 60
  }

  validation {
    condition     = alltrue([for k in ["intake", "extract", "classify", "assemble", "sweep", "webhooks"] : lookup(var.timeout_seconds, k, 0) > 0 && lookup(var.timeout_seconds, k, 0) <= 540])
    error_message = "timeout_seconds needs intake, extract, classify, assemble, sweep and webhooks, each between 1 and 540."
  }
}

variable "memory" {
  description = "Memory per function (intake inspects files in a sandbox of ZAPDOC_INSPECT_MEMORY_MB, so it needs more)."
  type        = map(string)
  default = {
    api            = "512Mi"
    stripe_webhook = "256Mi"
    intake         = "2Gi"
    extract        = "1Gi"
    classify       = "512Mi"
    assemble       = "1Gi"
    sweep          = "1Gi"
    webhooks       = "256Mi"
  }
}

variable "sweep_schedule" {
  description = "Cron schedule of the sweep (cancel stale jobs, refund stuck documents, re-drive assembly)."
  type        = string
  default     = "*/5 * * * *"
}

variable "source_dir" {
  description = "Directory written by `zapdoc package` (one folder per function); null means ../dist/functions."
  type        = string
  default     = null
}
