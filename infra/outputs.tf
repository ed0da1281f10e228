output "input_bucket" {
  description = "Upload images and sidecars here (gs://<bucket>/<input_prefix>…)."
  value       = google_storage_bucket.input.name
}

output "results_bucket" {
  description = "Results, manifests and error reports appear here."
  value       = google_storage_bucket.results.name
}

output "function_name" {
  description = "The Cloud Function that processes uploads."
  value       = google_cloudfunctions2_function.darkroom.name
}

output "function_uri" {
  description = "URI of the function's Cloud Run service (internal ingress only)."
  value       = google_cloudfunctions2_function.darkroom.service_config[0].uri
}

output "runtime_service_account" {
  description = "The identity the function runs as."
  value       = google_service_account.runtime.email
}

output "trigger_service_account" {
  description = "The identity Eventarc delivers events with."
  value       = google_service_account.trigger.email
}

output "firestore_database" {
  description = "The Firestore database holding lineage."
  value       = local.firestore_database
}

output "gemini_api_key_secret" {
  description = "Secret to add the Gemini API key to (null when use_vertex is true)."
  value       = one(google_secret_manager_secret.gemini_api_key[*].secret_id)
}

output "replicate_api_token_secret" {
  description = "Secret to add the Replicate API token to (null unless enable_replicate)."
  value       = one(google_secret_manager_secret.replicate_api_token[*].secret_id)
}

output "collect_batches_url" {
  description = "The batch lane's collector function, called by Cloud Scheduler (empty when enable_batch_collector is false)."
  value       = local.batch_enabled ? local.collect_batches_url : ""
}
