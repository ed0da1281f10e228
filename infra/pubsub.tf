# Completion events (docs/integrations.md): the function publishes one message per job
# outcome to this topic after the job's manifest.json or error.json is written
# (at-least-once: consumers dedupe on the ce-id attribute, the job id).

resource "google_pubsub_topic" "completions" {
  count = var.enable_completion_events ? 1 : 0

  project = var.project_id
  name    = "darkroom-completions"
  # Lets a new subscription replay the last day of outcomes (seek to a time).
  message_retention_duration = "86400s"

  depends_on = [google_project_service.apis]
}

# Only the function's runtime account may publish outcomes, and only to this topic.
resource "google_pubsub_topic_iam_member" "runtime_completions_publisher" {
  count = var.enable_completion_events ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.completions[0].name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

# --- example subscription, with a dead-letter topic ---------------------------------

resource "google_pubsub_topic" "completions_dead_letter" {
  count = var.enable_completion_events && var.completion_example_subscription ? 1 : 0

  project                    = var.project_id
  name                       = "darkroom-completions-dead-letter"
  message_retention_duration = "604800s"

  depends_on = [google_project_service.apis]
}

# A starting point for a consumer: ordered per source image, redelivered with backoff,
# and moved to the dead-letter topic after max_delivery_attempts.
resource "google_pubsub_subscription" "completions_example" {
  count = var.enable_completion_events && var.completion_example_subscription ? 1 : 0

  project                    = var.project_id
  name                       = "darkroom-completions-example"
  topic                      = google_pubsub_topic.completions[0].id
  enable_message_ordering    = true
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.completions_dead_letter[0].id
    max_delivery_attempts = var.completion_max_delivery_attempts
  }
}

# Pub/Sub's service agent forwards undeliverable messages: it must publish to the
# dead-letter topic and acknowledge on the source subscription.
# https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions
resource "google_pubsub_topic_iam_member" "pubsub_agent_dead_letter_publisher" {
  count = var.enable_completion_events && var.completion_example_subscription ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.completions_dead_letter[0].name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_example_subscriber" {
  count = var.enable_completion_events && var.completion_example_subscription ? 1 : 0

  project      = var.project_id
  subscription = google_pubsub_subscription.completions_example[0].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}
