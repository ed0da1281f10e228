# Tasks-mode dispatch (var.dispatch = "tasks", docs/dispatch.md): one Cloud Tasks queue per
# model quota, the runStage worker they dispatch to, and the invoker account whose OIDC token
# the tasks carry. Nothing here exists in the default inline mode.

locals {
  tasks_enabled = var.dispatch == "tasks"
  task_queues   = local.tasks_enabled ? var.task_queues : {}

  # The worker's deterministic run.app URL (SERVICE-PROJECT_NUMBER.REGION.run.app): known before
  # the function exists, so both functions can be given it without a dependency cycle. It is
  # also the OIDC audience Cloud Run accepts without a custom audience.
  run_stage_url = "https://${var.run_stage_function_name}-${data.google_project.this.number}.${var.region}.run.app"

  # TASK_QUEUES: every model or engine key of a queue, mapped to that queue.
  task_queue_env = join(",", flatten([
    for key, queue in local.task_queues : [
      for model in queue.models : "${model}=${google_cloud_tasks_queue.model[key].id}"
    ]
  ]))
}

resource "google_project_service" "cloudtasks" {
  count = local.tasks_enabled ? 1 : 0

  project                    = var.project_id
  service                    = "cloudtasks.googleapis.com"
  disable_on_destroy         = false
  disable_dependent_services = false
}

resource "google_cloud_tasks_queue" "model" {
  for_each = local.task_queues

  project  = var.project_id
  location = var.region
  name     = each.key

  # The queue's dispatch rate is the model quota (README "Scaling": 0.8 × RPM / 60).
  rate_limits {
    max_dispatches_per_second = each.value.max_dispatches_per_second
    max_concurrent_dispatches = each.value.max_concurrent_dispatches
  }

  # A quota wait is not a failure: unlimited attempts within the retry window, backing off
  # from 10 s to 5 min (a "not now" answers 429/503 with Retry-After and costs no job attempt).
  retry_config {
    max_attempts       = -1
    max_retry_duration = "${var.task_max_retry_days * 86400}s"
    min_backoff        = "10s"
    max_backoff        = "300s"
    max_doublings      = 5
  }

  stackdriver_logging_config {
    sampling_ratio = var.task_log_sampling_ratio
  }

  depends_on = [google_project_service.cloudtasks]
}

resource "google_cloudfunctions2_function" "run_stage" {
  count = local.tasks_enabled ? 1 : 0

  project     = var.project_id
  name        = var.run_stage_function_name
  location    = var.region
  description = "Darkroom: runs the queued stages of a job (Cloud Tasks HTTP target)."

  build_config {
    runtime           = "nodejs20"
    entry_point       = "runStage"
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
    available_memory                 = var.function_memory
    available_cpu                    = var.function_cpu
    timeout_seconds                  = var.run_stage_timeout_seconds
    max_instance_count               = var.function_max_instances
    min_instance_count               = 0
    max_instance_request_concurrency = var.function_concurrency
    service_account_email            = google_service_account.runtime.email
    # Cloud Tasks of the same project, calling the default run.app URL, counts as internal
    # traffic (cloud.google.com/run/docs/securing/ingress); IAM (run.invoker) is the real gate.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    # The shared environment and secrets: function-env.tf.
    environment_variables = merge(local.function_env, {
      FUNCTION_TIMEOUT_SECONDS = var.run_stage_timeout_seconds
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
    google_secret_manager_secret_iam_member.runtime_webhook_secret,
  ]
}
