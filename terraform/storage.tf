# Uploads: written only through V4 signed PUT URLs, read by the pipeline, deleted after delivery;
# the lifecycle rule is the backstop that removes anything left after a day.
resource "google_storage_bucket" "uploads" {
  #checkov:skip=CKV_GCP_78:No versioning on purpose: uploaded documents must really disappear after a day (privacy).
  #checkov:skip=CKV_GCP_62:Access logs would record per-user object names; Cloud Audit Logs cover admin access.
  name                        = "${var.project_id}-uploads"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "Delete"
    }
  }

  # The web app (its own origin, from public_url) and any other allowed origin PUT to signed URLs.
  cors {
    origin          = distinct(concat([regex("^https://[^/]+", var.public_url)], var.cors_origins))
    method          = ["PUT"]
    response_header = ["Content-Type", "x-goog-content-length-range", "x-goog-if-generation-match"]
    max_age_seconds = 3600
  }

  depends_on = [google_project_service.enabled]
}

# Results: one workbook per delivered job, kept for results_retention_days.
resource "google_storage_bucket" "results" {
  #checkov:skip=CKV_GCP_78:No versioning on purpose: workbooks must be gone once their retention ends (privacy).
  #checkov:skip=CKV_GCP_62:Access logs would record per-user object names; Cloud Audit Logs cover admin access.
  name                        = "${var.project_id}-results"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  lifecycle_rule {
    condition {
      age = var.results_retention_days
    }
    action {
      type = "Delete"
    }
  }

  # The web app fetch()es the workbook through its signed GET URL (preview in the page, then save).
  cors {
    origin          = distinct(concat([regex("^https://[^/]+", var.public_url)], var.cors_origins))
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type", "Content-Disposition", "Content-Length"]
    max_age_seconds = 3600
  }

  depends_on = [google_project_service.enabled]
}

# Function sources, one zip per function named by the hash of its content.
resource "google_storage_bucket" "sources" {
  #checkov:skip=CKV_GCP_78:Sources are build inputs named by content hash; the packaging command recreates any of them.
  #checkov:skip=CKV_GCP_62:Only Cloud Build reads this bucket; Cloud Audit Logs cover it.
  name                        = "${var.project_id}-sources"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  depends_on = [google_project_service.enabled]
}

locals {
  source_dir = var.source_dir != null ? var.source_dir : "${path.module}/../dist/functions"
}

# One reproducible zip per packaged function (fixed file mode; the archive provider fixes timestamps),
# uploaded under a name that carries its MD5: any code change makes a new object, hence a new build.
data "archive_file" "source" {
  for_each = local.functions

  type             = "zip"
  source_dir       = "${local.source_dir}/${each.key}"
  output_path      = "${path.module}/.build/${each.key}.zip"
  output_file_mode = "0644"
  excludes         = ["**/__pycache__/**", "**/*.pyc"]
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  name   = "functions/${each.key}-${data.archive_file.source[each.key].output_md5}.zip"
  bucket = google_storage_bucket.sources.name
  source = data.archive_file.source[each.key].output_path
}
