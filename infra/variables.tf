# ---------------------------------------------------------------------------
# Project and placement
# ---------------------------------------------------------------------------

variable "project_id" {
  description = "The Google Cloud project that hosts the whole stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 lowercase letters, digits or hyphens), not a project name or number."
  }
}

variable "region" {
  description = "One region for the function, its Eventarc trigger and both buckets. Eventarc requires the trigger's location to match the bucket's, so multi-regions are refused."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a single region such as us-central1 or europe-west4 (not a multi-region such as US or EU)."
  }
}

variable "labels" {
  description = "Extra labels added to every resource that supports them."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------
# Buckets
# ---------------------------------------------------------------------------

variable "input_bucket_name" {
  description = "Name of the bucket people and systems upload to (the trigger bucket). Defaults to <project_id>-darkroom-input."
  type        = string
  default     = null

  validation {
    condition     = var.input_bucket_name == null || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.input_bucket_name))
    error_message = "input_bucket_name must be a valid bucket name: 3-63 lowercase letters, digits, dots, hyphens or underscores."
  }
}

variable "results_bucket_name" {
  description = "Name of the bucket the function writes results to. Must differ from the input bucket, or results would trigger the function again. Defaults to <project_id>-darkroom-results."
  type        = string
  default     = null

  validation {
    condition     = var.results_bucket_name == null || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.results_bucket_name))
    error_message = "results_bucket_name must be a valid bucket name: 3-63 lowercase letters, digits, dots, hyphens or underscores."
  }

  validation {
    condition     = var.results_bucket_name == null || var.results_bucket_name != var.input_bucket_name
    error_message = "results_bucket_name must differ from input_bucket_name: results written into the trigger bucket would trigger the function again."
  }
}

variable "input_prefix" {
  description = "Only objects under this prefix of the input bucket are processed (INPUT_PREFIX). Empty, or ending in \"/\"."
  type        = string
  default     = ""

  validation {
    condition     = var.input_prefix == "" || endswith(var.input_prefix, "/")
    error_message = "input_prefix must be empty or end with \"/\"."
  }
}

variable "results_prefix" {
  description = "Prefix for every result object in the results bucket (RESULTS_PREFIX). Empty, or ending in \"/\"."
  type        = string
  default     = ""

  validation {
    condition     = var.results_prefix == "" || endswith(var.results_prefix, "/")
    error_message = "results_prefix must be empty or end with \"/\"."
  }
}

variable "reference_buckets" {
  description = "Other existing buckets that requests may name as gs:// references (REFERENCE_BUCKETS). The function gets read access to each; you need permission to set IAM on them."
  type        = list(string)
  default     = []
}

variable "input_noncurrent_version_days" {
  description = "Days an overwritten or deleted input version is kept. Redeliveries read the exact generation named in the event for up to 24 hours, so keep at least 2."
  type        = number
  default     = 30

  validation {
    condition     = var.input_noncurrent_version_days >= 2
    error_message = "input_noncurrent_version_days must be at least 2: Eventarc redelivers for up to 24 hours and reads the event's generation."
  }
}

variable "intermediate_retention_days" {
  description = "Days stage intermediates (…/stages/NN-<name>.<ext>, which carry a custom time) are kept in the results bucket; null keeps them forever. Once deleted, the stage cache can no longer reuse them."
  type        = number
  default     = 30

  validation {
    condition     = var.intermediate_retention_days == null || try(var.intermediate_retention_days >= 1, false)
    error_message = "intermediate_retention_days must be null (keep) or at least 1."
  }
}

variable "error_report_retention_days" {
  description = "Days error reports (…/error.json) are kept in the results bucket; null keeps them forever."
  type        = number
  default     = 90

  validation {
    condition     = var.error_report_retention_days == null || try(var.error_report_retention_days >= 1, false)
    error_message = "error_report_retention_days must be null (keep) or at least 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the input and results buckets even when they still hold objects. Off by default, so a teardown never deletes images by accident."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------
# Engine and model
# ---------------------------------------------------------------------------

variable "engine" {
  description = "Default engine when a request names none (DARKROOM_ENGINE)."
  type        = string
  default     = "gemini"

  validation {
    condition     = contains(["gemini", "local", "replicate"], var.engine)
    error_message = "engine must be one of gemini, local, replicate."
  }
}

variable "gemini_model" {
  description = "Default Gemini image model (GEMINI_MODEL)."
  type        = string
  default     = "gemini-3.1-flash-image"
}

variable "use_vertex" {
  description = "Call Gemini through Vertex AI with the function's service account instead of the Gemini API with an API key. When true no API-key secret is created and the function gets roles/aiplatform.user."
  type        = bool
  default     = false
}

variable "vertex_location" {
  description = "Vertex AI location for Gemini calls (GOOGLE_CLOUD_LOCATION) when use_vertex is true. The image models are served from global."
  type        = string
  default     = "global"
}

variable "enable_replicate" {
  description = "Create a Secret Manager secret for REPLICATE_API_TOKEN and give it to the function (for the replicate engine)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------
# Function sizing and delivery
# ---------------------------------------------------------------------------

variable "function_name" {
  description = "Name of the Cloud Function (and of its Cloud Run service)."
  type        = string
  default     = "darkroom-process-upload"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.function_name))
    error_message = "function_name must be 2-63 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "function_timeout_seconds" {
  description = "Function timeout, also passed as FUNCTION_TIMEOUT_SECONDS so the pipeline budgets its time. 540 s is the maximum for event-driven functions."
  type        = number
  default     = 540

  validation {
    condition     = var.function_timeout_seconds >= 60 && var.function_timeout_seconds <= 540
    error_message = "function_timeout_seconds must be between 60 and 540 (the maximum for event-driven functions)."
  }
}

variable "deadline_margin_seconds" {
  description = "Seconds the pipeline keeps in reserve before the timeout to record its state (DEADLINE_MARGIN_SECONDS)."
  type        = number
  default     = 30

  validation {
    condition     = var.deadline_margin_seconds >= 0 && var.deadline_margin_seconds < var.function_timeout_seconds
    error_message = "deadline_margin_seconds must be at least 0 and smaller than function_timeout_seconds."
  }
}

variable "lease_seconds" {
  description = "Job lease length (LEASE_SECONDS), for both functions. null lets each function use its own timeout + 60 s. A lease shorter than the timeout would let a redelivery take over a live attempt."
  type        = number
  default     = null

  validation {
    condition = var.lease_seconds == null || try(
      var.lease_seconds > var.function_timeout_seconds &&
      (var.dispatch != "tasks" || var.lease_seconds > var.run_stage_timeout_seconds),
      false,
    )
    error_message = "lease_seconds must be null or longer than function_timeout_seconds (and, in tasks mode, than run_stage_timeout_seconds)."
  }
}

variable "max_attempts" {
  description = "Attempts per job before it fails permanently (MAX_ATTEMPTS)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_attempts >= 1 && var.max_attempts <= 100
    error_message = "max_attempts must be between 1 and 100."
  }
}

variable "max_event_age_seconds" {
  description = "Events older than this are acknowledged and logged, not processed (MAX_EVENT_AGE_SECONDS). Eventarc stops redelivering after 24 hours."
  type        = number
  default     = 86400

  validation {
    condition     = var.max_event_age_seconds >= 60
    error_message = "max_event_age_seconds must be at least 60."
  }
}

variable "function_memory" {
  description = "Memory per instance. A 24 MP job peaks around 512 MiB; 2Gi leaves 4x headroom for decoded references and base64 model replies, and buys a full vCPU."
  type        = string
  default     = "2Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.function_memory))
    error_message = "function_memory must look like 512Mi or 2Gi."
  }
}

variable "function_cpu" {
  description = "vCPUs per instance. Concurrency above 1 requires at least 1."
  type        = string
  default     = "1"

  validation {
    condition     = can(tonumber(var.function_cpu)) && try(tonumber(var.function_cpu) > 0, false)
    error_message = "function_cpu must be a positive number such as 1 or 2."
  }
}

variable "function_concurrency" {
  description = "Events one instance handles at once. 1 by default: each event holds full-resolution images in memory, and an unhandled error exits the process, which would fail every event in flight on it."
  type        = number
  default     = 1

  validation {
    condition     = var.function_concurrency >= 1 && var.function_concurrency <= 1000
    error_message = "function_concurrency must be between 1 and 1000."
  }

  validation {
    condition     = var.function_concurrency == 1 || try(tonumber(var.function_cpu) >= 1, false)
    error_message = "function_concurrency above 1 requires function_cpu of at least 1."
  }
}

variable "function_max_instances" {
  description = "Instance cap. With one model call in flight per event, calls per minute ~ max_instances x concurrency x 60 / seconds per call: 10 instances at ~15 s per call is ~40 images per minute. Size it below your model quota."
  type        = number
  default     = 10

  validation {
    condition     = var.function_max_instances >= 1 && var.function_max_instances <= 1000
    error_message = "function_max_instances must be between 1 and 1000."
  }
}

variable "function_min_instances" {
  description = "Instances kept warm. 0 by default (pay nothing when idle)."
  type        = number
  default     = 0

  validation {
    condition     = var.function_min_instances >= 0 && var.function_min_instances <= var.function_max_instances
    error_message = "function_min_instances must be between 0 and function_max_instances."
  }
}

variable "log_level" {
  description = "Function log level (LOG_LEVEL)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn, error."
  }
}

# ---------------------------------------------------------------------------
# Firestore
# ---------------------------------------------------------------------------

variable "firestore_database" {
  description = "Firestore database ID for lineage (FIRESTORE_DATABASE)."
  type        = string
  default     = "(default)"
}

variable "create_firestore_database" {
  description = "Create the Firestore database. Set false when the project already has it (a project has at most one (default) database)."
  type        = bool
  default     = true
}

variable "firestore_location" {
  description = "Firestore location (a region such as us-central1, or a multi-region such as nam5 or eur3). null uses region; set it when Firestore is not offered in that region. It cannot change after creation."
  type        = string
  default     = null
}

variable "firestore_delete_protection" {
  description = "Refuse to delete the Firestore database, even through the API. terraform destroy abandons it either way (deletion_policy ABANDON)."
  type        = bool
  default     = true
}

variable "label_index_keys" {
  description = "Request label keys (e.g. sku) to index for \"jobs with labels.<key> == X, newest first\" queries. Each adds one composite index."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.label_index_keys : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "label_index_keys must be simple field names (letters, digits, underscores)."
  }
}

variable "enable_completion_events" {
  description = "Create the darkroom-completions Pub/Sub topic and publish one message per job outcome to it (COMPLETION_TOPIC)."
  type        = bool
  default     = true
}

variable "completion_example_subscription" {
  description = "Also create an example subscription (ordered, with a dead-letter topic) for consumers to start from."
  type        = bool
  default     = true
}

variable "completion_max_delivery_attempts" {
  description = "Deliveries of a completion message to the example subscription before it goes to the dead-letter topic (5-100)."
  type        = number
  default     = 10

  validation {
    condition     = var.completion_max_delivery_attempts >= 5 && var.completion_max_delivery_attempts <= 100
    error_message = "completion_max_delivery_attempts must be from 5 to 100 (Pub/Sub's limits)."
  }
}

variable "webhook_url" {
  description = "A webhook that receives every job outcome, signed (WEBHOOK_URL). Empty: none."
  type        = string
  default     = ""
}

variable "webhook_hosts" {
  description = "Hosts a request's notify.url may name (WEBHOOK_HOSTS). Empty: per-request webhooks are refused."
  type        = list(string)
  default     = []
}

variable "dispatch" {
  description = "How stages reach the models: inline (each upload's invocation calls the model) or tasks (Cloud Tasks queues per model quota and the runStage worker; docs/dispatch.md)."
  type        = string
  default     = "inline"

  validation {
    condition     = contains(["inline", "tasks"], var.dispatch)
    error_message = "dispatch must be inline or tasks."
  }
}

variable "task_queues" {
  description = "Tasks mode: one queue per model quota, by queue name. models lists the model or engine names (or default) whose stages wait in it; max_dispatches_per_second = 0.8 x the quota's requests per minute / 60 (README \"Scaling\"). Defaults are conservative: a 10 RPM Gemini tier and Replicate's 600 creates/min."
  type = map(object({
    models                    = list(string)
    max_dispatches_per_second = number
    max_concurrent_dispatches = number
  }))
  default = {
    "darkroom-nano-banana-2" = { models = ["gemini-3.1-flash-image"], max_dispatches_per_second = 0.13, max_concurrent_dispatches = 10 }
    "darkroom-replicate"     = { models = ["replicate"], max_dispatches_per_second = 8, max_concurrent_dispatches = 20 }
    "darkroom-default"       = { models = ["default"], max_dispatches_per_second = 1, max_concurrent_dispatches = 10 }
  }

  validation {
    condition     = alltrue([for q in values(var.task_queues) : q.max_dispatches_per_second > 0 && q.max_dispatches_per_second <= 500 && q.max_concurrent_dispatches >= 1 && q.max_concurrent_dispatches <= 5000])
    error_message = "max_dispatches_per_second must be in (0, 500] and max_concurrent_dispatches in [1, 5000] (Cloud Tasks limits)."
  }
}

variable "task_max_retry_days" {
  description = "Tasks mode: how long a queue keeps retrying a stage that the model keeps refusing with \"not now\" (days, 1 to 30; tasks live at most 31 days)."
  type        = number
  default     = 7

  validation {
    condition     = var.task_max_retry_days >= 1 && var.task_max_retry_days <= 30
    error_message = "task_max_retry_days must be from 1 to 30."
  }
}

variable "task_log_sampling_ratio" {
  description = "Tasks mode: share of task dispatches Cloud Tasks logs (0 to 1)."
  type        = number
  default     = 0.1
}

variable "task_dispatch_deadline_seconds" {
  description = "Tasks mode: how long Cloud Tasks waits for one dispatch of a stage task (15 to 1800 s). At most run_stage_timeout_seconds."
  type        = number
  default     = 900

  validation {
    condition     = var.task_dispatch_deadline_seconds >= 15 && var.task_dispatch_deadline_seconds <= 1800
    error_message = "task_dispatch_deadline_seconds must be from 15 to 1800."
  }
}

variable "run_stage_function_name" {
  description = "Tasks mode: name of the runStage worker function (also its Cloud Run service)."
  type        = string
  default     = "darkroom-run-stage"
}

variable "run_stage_timeout_seconds" {
  description = "Tasks mode: timeout of the runStage worker (HTTP functions run up to 3600 s); at least task_dispatch_deadline_seconds."
  type        = number
  default     = 900

  validation {
    condition     = var.run_stage_timeout_seconds >= 60 && var.run_stage_timeout_seconds <= 3600
    error_message = "run_stage_timeout_seconds must be from 60 to 3600."
  }
}

# ---------------------------------------------------------------------------
# Batch lane (docs/batch.md)
# ---------------------------------------------------------------------------

variable "enable_batch_collector" {
  description = "Deploy the batch lane's collector: the collectBatches function and the Cloud Scheduler job that runs it. Without it, batch-lane jobs wait until someone runs darkroom batch submit/status against the deployment."
  type        = bool
  default     = true
}

variable "batch_collector_function_name" {
  description = "Batch lane: name of the collectBatches function (also its Cloud Run service)."
  type        = string
  default     = "darkroom-collect-batches"
}

variable "batch_collect_schedule" {
  description = "Batch lane: how often Cloud Scheduler runs the collector (cron, UTC). The service's own docs poll every 10-30 s; batches take hours, so minutes are plenty."
  type        = string
  default     = "*/5 * * * *"
}

variable "batch_collector_timeout_seconds" {
  description = "Batch lane: timeout of one collector run (HTTP functions run up to 3600 s), also the scheduler's attempt deadline (at most 1800 s)."
  type        = number
  default     = 900

  validation {
    condition     = var.batch_collector_timeout_seconds >= 60 && var.batch_collector_timeout_seconds <= 1800
    error_message = "batch_collector_timeout_seconds must be from 60 to 1800 (Cloud Scheduler's longest attempt deadline)."
  }
}

variable "batch_min_requests" {
  description = "Batch lane: the collector submits a model's waiting stages once this many wait (BATCH_MIN_REQUESTS)."
  type        = number
  default     = 100
}

variable "batch_max_wait_seconds" {
  description = "Batch lane: ...or once the oldest has waited this long (BATCH_MAX_WAIT_SECONDS)."
  type        = number
  default     = 1800
}

variable "batch_expired_resubmits" {
  description = "Batch lane: times the stages of an expired batch, or one cancelled outside darkroom batch cancel, go back to waiting (BATCH_EXPIRED_RESUBMITS)."
  type        = number
  default     = 1
}
