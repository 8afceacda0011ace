# One service account per function, each with only the roles its code needs (see docs/deploy.md).
# How each function is reached: http = public (the code authenticates), event = Eventarc,
# push = Pub/Sub push subscription, scheduler = Cloud Scheduler.
locals {
  functions = {
    api            = "http"
    stripe_webhook = "http"
    intake         = "event"
    extract        = "push"
    classify       = "push"
    assemble       = "push"
    sweep          = "scheduler"
    webhooks       = "push"
  }

  # Project-level roles. Firestore has no finer grant than the database's project.
  project_roles = {
    api_firestore            = { sa = "api", role = "roles/datastore.user" }
    stripe_webhook_firestore = { sa = "stripe_webhook", role = "roles/datastore.user" }
    intake_firestore         = { sa = "intake", role = "roles/datastore.user" }
    extract_firestore        = { sa = "extract", role = "roles/datastore.user" }
    classify_firestore       = { sa = "classify", role = "roles/datastore.user" }
    assemble_firestore       = { sa = "assemble", role = "roles/datastore.user" }
    sweep_firestore          = { sa = "sweep", role = "roles/datastore.user" }
    webhooks_firestore       = { sa = "webhooks", role = "roles/datastore.user" }
    extract_vertex           = { sa = "extract", role = "roles/aiplatform.user" }
    classify_vertex          = { sa = "classify", role = "roles/aiplatform.user" }
  }

  # Bucket-level roles: objectUser = read, write and delete objects (no IAM changes).
  bucket_roles = {
    api_uploads_create    = { sa = "api", bucket = "uploads", role = "roles/storage.objectCreator" }
    api_results_read      = { sa = "api", bucket = "results", role = "roles/storage.objectViewer" }
    intake_uploads        = { sa = "intake", bucket = "uploads", role = "roles/storage.objectUser" }
    extract_uploads_read  = { sa = "extract", bucket = "uploads", role = "roles/storage.objectViewer" }
    classify_uploads_read = { sa = "classify", bucket = "uploads", role = "roles/storage.objectViewer" }
    assemble_uploads      = { sa = "assemble", bucket = "uploads", role = "roles/storage.objectUser" }
    assemble_results      = { sa = "assemble", bucket = "results", role = "roles/storage.objectUser" }
    sweep_uploads         = { sa = "sweep", bucket = "uploads", role = "roles/storage.objectUser" }
    sweep_results         = { sa = "sweep", bucket = "results", role = "roles/storage.objectUser" }
    webhooks_results_read = { sa = "webhooks", bucket = "results", role = "roles/storage.objectViewer" }
  }

  # Topic publishers: intake fans out documents; extract/classify report; sweep re-drives both.
  topic_publishers = {
    intake_documents = { sa = "intake", topic = "documents" }
    intake_results   = { sa = "intake", topic = "document-results" }
    extract_results  = { sa = "extract", topic = "document-results" }
    classify_results = { sa = "classify", topic = "document-results" }
    sweep_documents  = { sa = "sweep", topic = "documents" }
    sweep_results    = { sa = "sweep", topic = "document-results" }
    # Whoever ends a job queues its webhook event; the sweep also re-publishes lost ones.
    api_webhooks      = { sa = "api", topic = "zapdoc-webhooks" }
    intake_webhooks   = { sa = "intake", topic = "zapdoc-webhooks" }
    assemble_webhooks = { sa = "assemble", topic = "zapdoc-webhooks" }
    sweep_webhooks    = { sa = "sweep", topic = "zapdoc-webhooks" }
  }

  # Functions that sign URLs through IAM signBlob as themselves (no key files on Cloud Functions):
  # api (upload and download links), assemble and sweep (download link when a workbook is too big to mail),
  # webhooks (the event's short-lived download link).
  signers = toset(["api", "assemble", "sweep", "webhooks"])

  # Who may invoke each non-public function.
  invokers = {
    intake   = "events"
    extract  = "push"
    classify = "push"
    assemble = "push"
    sweep    = "scheduler"
    webhooks = "push"
  }

  invoker_emails = {
    push      = google_service_account.push.email
    events    = google_service_account.events.email
    scheduler = google_service_account.scheduler.email
  }

  bucket_names = {
    uploads = google_storage_bucket.uploads.name
    results = google_storage_bucket.results.name
  }
  topic_names = {
    documents          = google_pubsub_topic.documents.name
    "document-results" = google_pubsub_topic.results.name
    "zapdoc-webhooks"  = google_pubsub_topic.webhooks.name
  }
}

resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = "zapdoc-${replace(each.key, "_", "-")}"
  display_name = "ZapDoc function ${each.key}"
}

resource "google_service_account" "push" {
  account_id   = "zapdoc-push"
  display_name = "ZapDoc Pub/Sub push identity (invokes extract, classify, assemble, webhooks)"
}

resource "google_service_account" "events" {
  account_id   = "zapdoc-events"
  display_name = "ZapDoc Eventarc identity (invokes intake on object finalize)"
}

resource "google_service_account" "scheduler" {
  account_id   = "zapdoc-scheduler"
  display_name = "ZapDoc Cloud Scheduler identity (invokes sweep)"
}

resource "google_service_account" "build" {
  account_id   = "zapdoc-build"
  display_name = "ZapDoc Cloud Functions build identity"
}

resource "google_project_iam_member" "fn" {
  for_each = local.project_roles

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${google_service_account.fn[each.value.sa].email}"
}

resource "google_storage_bucket_iam_member" "fn" {
  for_each = local.bucket_roles

  bucket = local.bucket_names[each.value.bucket]
  role   = each.value.role
  member = "serviceAccount:${google_service_account.fn[each.value.sa].email}"
}

resource "google_pubsub_topic_iam_member" "fn" {
  for_each = local.topic_publishers

  topic  = local.topic_names[each.value.topic]
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.value.sa].email}"
}

# signBlob as itself only: the grant is on the function's own service account, not the project.
resource "google_service_account_iam_member" "signer" {
  for_each = local.signers

  service_account_id = google_service_account.fn[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# Eventarc delivers storage events as the events identity.
resource "google_project_iam_member" "events_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.events.email}"
}

# Cloud Storage publishes object events to Eventarc's Pub/Sub transport through its service agent.
data "google_storage_project_service_account" "gcs" {
  project = var.project_id
}

resource "google_project_iam_member" "gcs_agent_publisher" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

# The build identity builds the function images, with the roles Google documents for a custom Cloud
# Functions build account: write logs, push images, read and write the staged sources (Cloud Functions
# stages them in its own gcf-v2-sources bucket, created on first deploy, hence a project-level grant).
# Nothing runs as this account at runtime, and only the deployer may act as it.
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectAdmin"])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.build.email}"
}

# Invocation rights on the Cloud Run services behind the gen2 functions.
resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = local.invokers

  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${local.invoker_emails[each.value]}"
}

# api and stripe_webhook are public endpoints: the api verifies Firebase ID tokens or API keys on every
# call, the webhook verifies Stripe's signature over the raw body.
resource "google_cloud_run_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:Public by design: the api authenticates each request (Firebase ID token or API key) and the webhook verifies Stripe signatures.
  for_each = toset(["api", "stripe_webhook"])

  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
