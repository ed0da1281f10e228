# The batch lane's collector (docs/batch.md): Cloud Scheduler calls the collectBatches HTTP
# function every few minutes with an OIDC token of its own account; one run submits the waiting
# stages that are due, polls the live Gemini batch jobs and continues the jobs they answered.

locals {
  batch_enabled       = var.enable_batch_collector
  collect_batches_url = "https://${var.batch_collector_function_name}-${data.google_project.this.number}.${var.region}.run.app"
}

resource "google_project_service" "cloudscheduler" {
  count = local.batch_enabled ? 1 : 0

  project                    = var.project_id
  service                    = "cloudscheduler.googleapis.com"
  disable_on_destroy         = false
  disable_dependent_services = false
}

resource "google_service_account" "scheduler_invoker" {
  count = local.batch_enabled ? 1 : 0

  project      = var.project_id
  account_id   = "darkroom-scheduler"
  display_name = "Darkroom Cloud Scheduler invoker"
  description  = "The OIDC identity of the batch collector's schedule; may only invoke collectBatches."
}

resource "google_cloudfunctions2_function" "collect_batches" {
  count = local.batch_enabled ? 1 : 0

  project     = var.project_id
  name        = var.batch_collector_function_name
  location    = var.region
  description = "Darkroom: the batch lane's collector (submit, poll, apply), run by Cloud Scheduler."

  build_config {
    runtime           = "nodejs20"
    entry_point       = "collectBatches"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory = var.function_memory
    available_cpu    = var.function_cpu
    timeout_seconds  = var.batch_collector_timeout_seconds
    # One pass at a time: a second scheduled run while one is still applying would only wait on it.
    max_instance_count               = 1
    min_instance_count               = 0
    max_instance_request_concurrency = 1
    service_account_email            = google_service_account.runtime.email
    # Cloud Scheduler of the same project, calling the default run.app URL, counts as internal
    # traffic (cloud.google.com/run/docs/securing/ingress); IAM (run.invoker) is the real gate.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    # The shared environment and secrets (function-env.tf), plus the collector's own settings.
    environment_variables = merge(local.function_env, {
      FUNCTION_TIMEOUT_SECONDS  = var.batch_collector_timeout_seconds
      COLLECT_BATCHES_URL       = local.collect_batches_url
      SCHEDULER_INVOKER_ACCOUNT = google_service_account.scheduler_invoker[0].email
      BATCH_MIN_REQUESTS        = var.batch_min_requests
      BATCH_MAX_WAIT_SECONDS    = var.batch_max_wait_seconds
      BATCH_EXPIRED_RESUBMITS   = var.batch_expired_resubmits
    })

    dynamic "secret_environment_variables" {
      for_each = local.function_secret_env
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.build_run_builder,
    google_storage_bucket_iam_member.build_source_viewer,
    google_secret_manager_secret_iam_member.runtime_gemini_api_key,
    google_secret_manager_secret_iam_member.runtime_replicate_api_token,
  ]
}

resource "google_cloud_run_v2_service_iam_member" "scheduler_invoker_collect_batches" {
  count = local.batch_enabled ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.collect_batches[0].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler_invoker[0].email}"
}

resource "google_cloud_scheduler_job" "collect_batches" {
  count = local.batch_enabled ? 1 : 0

  project          = var.project_id
  region           = var.region
  name             = "darkroom-collect-batches"
  description      = "Runs the batch lane's collector: submit what is due, poll, apply."
  schedule         = var.batch_collect_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "${var.batch_collector_timeout_seconds}s"

  # A failed run is not retried: the next scheduled run does the same work, from where it stopped.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = local.collect_batches_url
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler_invoker[0].email
      audience              = local.collect_batches_url
    }
  }

  depends_on = [
    google_project_service.cloudscheduler,
    google_cloud_run_v2_service_iam_member.scheduler_invoker_collect_batches,
  ]
}
