# Three buckets, never public: uploads (the trigger), results (never the trigger, so
# outputs cannot re-trigger the function), and the function's source archives.

resource "google_storage_bucket" "input" {
  name                        = local.input_bucket
  location                    = upper(var.region)
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy

  # Redeliveries read the exact generation named in the event; versioning keeps an
  # overwritten upload readable until the retry window has long passed.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.input_noncurrent_version_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket" "results" {
  name                        = local.results_bucket
  location                    = upper(var.region)
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy

  # Outputs are written create-only (ifGenerationMatch=0), so versions never accumulate.
  versioning {
    enabled = false
  }

  dynamic "lifecycle_rule" {
    for_each = var.error_report_retention_days == null ? [] : [var.error_report_retention_days]
    content {
      condition {
        age            = lifecycle_rule.value
        matches_suffix = [local.error_report_suffix]
      }
      action {
        type = "Delete"
      }
    }
  }

  # Stage intermediates live at …/<job>/stages/NN-<name>.<ext>. A "/stages/" segment in
  # the middle of a name is out of reach of matches_prefix and matches_suffix, so the rule
  # keys on the object's custom time, which only intermediates carry (the writer sets
  # customTime when it stores a stage output). Objects without a custom time never match.
  dynamic "lifecycle_rule" {
    for_each = var.intermediate_retention_days == null ? [] : [var.intermediate_retention_days]
    content {
      condition {
        days_since_custom_time = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.results_bucket != local.input_bucket
      error_message = "The results bucket must differ from the input bucket, or results would trigger the function again."
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket" "source" {
  name                        = local.source_bucket
  location                    = upper(var.region)
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Holds only build inputs that Terraform re-creates from the repository.
  force_destroy = true

  depends_on = [google_project_service.apis]
}
