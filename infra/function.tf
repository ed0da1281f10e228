# The function is built by Cloud Functions from a zip of this repository: the Node.js
# buildpack runs `npm ci` and `npm run build` (tsc -> dist/, package.json "main").

locals {
  # An allowlist, not a denylist: only what the build needs leaves the checkout. A local
  # `.env`, `.npmrc`, key file or anything else added later stays out unless listed here.
  # (test/unit/infra/archive-allowlist.test.ts applies these globs to sample checkouts.)
  source_globs       = ["{functions,shared}/**/*.ts"]
  source_files_fixed = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"]
  source_files = sort(setunion(
    flatten([for g in local.source_globs : fileset("${path.module}/..", g)]),
    local.source_files_fixed,
  ))
}

data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.module}/.build/darkroom-source.zip"

  dynamic "source" {
    for_each = local.source_files
    content {
      content  = file("${path.module}/../${source.value}")
      filename = source.value
    }
  }
}

resource "google_storage_bucket_object" "source" {
  # Named by content, so a change to the code is a new object and a new build.
  name   = "darkroom-source-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}

resource "google_artifact_registry_repository" "functions" {
  project       = var.project_id
  location      = var.region
  repository_id = "darkroom-functions"
  format        = "DOCKER"
  description   = "Images built for the Darkroom function."

  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_cloudfunctions2_function" "darkroom" {
  project     = var.project_id
  name        = var.function_name
  location    = var.region
  description = "Darkroom: staged image edits for every upload to the input bucket."

  build_config {
    runtime           = "nodejs20"
    entry_point       = "processUpload"
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
    timeout_seconds                  = var.function_timeout_seconds
    max_instance_count               = var.function_max_instances
    min_instance_count               = var.function_min_instances
    max_instance_request_concurrency = var.function_concurrency
    service_account_email            = google_service_account.runtime.email
    # Eventarc deliveries count as internal traffic; nothing else may call the function.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    # The shared environment and secrets: function-env.tf.
    environment_variables = merge(local.function_env, {
      FUNCTION_TIMEOUT_SECONDS = var.function_timeout_seconds
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

  event_trigger {
    # The trigger must live where the bucket lives.
    trigger_region = var.region
    event_type     = "google.cloud.storage.object.v1.finalized"
    # Off by default through the Cloud Functions v2 API; without it a transient failure
    # drops the event. The pipeline acknowledges permanent failures itself.
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email

    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.input.name
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.gcs_agent_pubsub_publisher,
    google_project_iam_member.trigger_event_receiver,
    google_project_iam_member.build_run_builder,
    google_storage_bucket_iam_member.build_source_viewer,
    google_secret_manager_secret_iam_member.runtime_gemini_api_key,
    google_secret_manager_secret_iam_member.runtime_replicate_api_token,
    google_secret_manager_secret_iam_member.runtime_webhook_secret,
  ]
}
