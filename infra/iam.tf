# Least privilege: three dedicated service accounts, each granted only what it uses,
# on the narrowest resource that supports the role. No primitive roles anywhere.
# (test/unit/infra/policy.test.ts holds the allow-list these grants must stay within.)

resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = "darkroom-runtime"
  display_name = "Darkroom function runtime"
  description  = "Reads uploads, writes results, records lineage, reads the model key."
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "darkroom-trigger"
  display_name = "Darkroom Eventarc trigger"
  description  = "May only deliver events to the Darkroom function."
}

resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "darkroom-build"
  display_name = "Darkroom function build"
  description  = "Builds the function image from the source archive."
}

# --- runtime --------------------------------------------------------------------

resource "google_storage_bucket_iam_member" "runtime_input_viewer" {
  bucket = google_storage_bucket.input.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

# Outputs are written create-only (ifGenerationMatch=0): creating needs no delete or
# overwrite permission.
resource "google_storage_bucket_iam_member" "runtime_results_creator" {
  bucket = google_storage_bucket.results.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

# Read back an existing output to tell "already written, identical" from a conflict,
# and reuse stored stage outputs on resume.
resource "google_storage_bucket_iam_member" "runtime_results_viewer" {
  bucket = google_storage_bucket.results.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_storage_bucket_iam_member" "runtime_reference_viewer" {
  for_each = toset(var.reference_buckets)

  bucket = each.value
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

# Firestore grants are project-level; an IAM condition on the database name narrows this one
# to the lineage database (https://cloud.google.com/firestore/docs/manage-databases#access_control).
resource "google_project_iam_member" "runtime_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime.email}"

  condition {
    title       = "darkroom-lineage-database-only"
    description = "Only the Firestore database that holds Darkroom's lineage."
    expression  = "resource.name == \"projects/${var.project_id}/databases/${local.firestore_database}\""
  }
}

resource "google_secret_manager_secret_iam_member" "runtime_gemini_api_key" {
  count = var.use_vertex ? 0 : 1

  project   = var.project_id
  secret_id = google_secret_manager_secret.gemini_api_key[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_secret_manager_secret_iam_member" "runtime_replicate_api_token" {
  count = var.enable_replicate ? 1 : 0

  project   = var.project_id
  secret_id = google_secret_manager_secret.replicate_api_token[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_project_iam_member" "runtime_vertex_user" {
  count = var.use_vertex ? 1 : 0

  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

# --- trigger --------------------------------------------------------------------

# eventarc.eventReceiver is grantable on the project only.
resource "google_project_iam_member" "trigger_event_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.darkroom.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}

# --- Cloud Storage service agent ---------------------------------------------------

# Cloud Storage publishes object events to Pub/Sub for Eventarc. The topic is created
# by Eventarc with the trigger, so the grant is on the project.
data "google_storage_project_service_account" "gcs_agent" {
  project = var.project_id
}

resource "google_project_iam_member" "gcs_agent_pubsub_publisher" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs_agent.email_address}"
}

# --- build ------------------------------------------------------------------------

# The role Google made for building Cloud Run functions from source (image push,
# build logs), instead of the default compute account's broad grants.
resource "google_project_iam_member" "build_run_builder" {
  project = var.project_id
  role    = "roles/run.builder"
  member  = "serviceAccount:${google_service_account.build.email}"
}

resource "google_storage_bucket_iam_member" "build_source_viewer" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}
