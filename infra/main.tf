locals {
  input_bucket       = coalesce(var.input_bucket_name, "${var.project_id}-darkroom-input")
  results_bucket     = coalesce(var.results_bucket_name, "${var.project_id}-darkroom-results")
  source_bucket      = "${var.project_id}-darkroom-source"
  firestore_location = coalesce(var.firestore_location, var.region)

  error_report_suffix     = "/error.json"
  attempts_ttl_field      = "expireAt"
  attempts_ttl_collection = "attempts"
}

# The project's number: Cloud Run URLs of the worker (tasks.tf) and the Pub/Sub service agent (pubsub.tf).
data "google_project" "this" {
  project_id = var.project_id
}
