# The environment of both functions, processUpload (function.tf) and the runStage worker
# (tasks.tf), defined once so that the two cannot drift apart. Each function merges in only
# what is its own: FUNCTION_TIMEOUT_SECONDS, its own timeout_seconds. Which variable is read
# where, and what is left at the code's default: infra/README.md ("Function environment").
# (test/unit/infra/tasks-policy.test.ts checks that both functions get the same keys.)

locals {
  # Read by shared/config.ts (loadConfig), shared/notify/notify-config.ts,
  # shared/dispatch/settings.ts and @google/genai. Empty strings count as unset there.
  function_env = {
    DARKROOM_ENGINE           = var.engine
    INPUT_BUCKET              = google_storage_bucket.input.name
    INPUT_PREFIX              = var.input_prefix
    RESULTS_BUCKET            = google_storage_bucket.results.name
    RESULTS_PREFIX            = var.results_prefix
    REFERENCE_BUCKETS         = join(",", var.reference_buckets)
    GEMINI_MODEL              = var.gemini_model
    DEADLINE_MARGIN_SECONDS   = var.deadline_margin_seconds
    LEASE_SECONDS             = var.lease_seconds == null ? "" : var.lease_seconds
    MAX_ATTEMPTS              = var.max_attempts
    MAX_EVENT_AGE_SECONDS     = var.max_event_age_seconds
    FIRESTORE_DATABASE        = local.firestore_database
    GOOGLE_CLOUD_PROJECT      = var.project_id
    GOOGLE_GENAI_USE_VERTEXAI = var.use_vertex
    GOOGLE_CLOUD_LOCATION     = var.vertex_location
    LOG_FORMAT                = "json"
    LOG_LEVEL                 = var.log_level
    # Completion events (pubsub.tf) and webhooks (webhooks.tf): whichever function ends a job
    # announces it.
    COMPLETION_TOPIC = var.enable_completion_events ? google_pubsub_topic.completions[0].id : ""
    WEBHOOK_URL      = var.webhook_url
    WEBHOOK_HOSTS    = join(",", var.webhook_hosts)
    # Tasks mode (tasks.tf); empty in inline mode.
    DISPATCH                       = var.dispatch
    TASK_QUEUES                    = local.task_queue_env
    RUN_STAGE_URL                  = local.tasks_enabled ? local.run_stage_url : ""
    TASK_INVOKER_ACCOUNT           = local.tasks_enabled ? google_service_account.tasks_invoker[0].email : ""
    TASK_DISPATCH_DEADLINE_SECONDS = var.task_dispatch_deadline_seconds
  }

  # Credentials, only ever from Secret Manager (secret environment variables, read at instance
  # start): one entry per secret that exists (each secret is a counted resource).
  function_secret_env = merge(
    { for s in google_secret_manager_secret.gemini_api_key : "GEMINI_API_KEY" => s.secret_id },
    { for s in google_secret_manager_secret.webhook_secret : "WEBHOOK_SECRET" => s.secret_id },
    { for s in google_secret_manager_secret.replicate_api_token : "REPLICATE_API_TOKEN" => s.secret_id },
  )
}
