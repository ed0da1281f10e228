locals {
  base_apis = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
  vertex_apis = ["aiplatform.googleapis.com"]
}

resource "google_project_service" "apis" {
  for_each = toset(concat(local.base_apis, var.use_vertex ? local.vertex_apis : []))

  project = var.project_id
  service = each.value

  # Other workloads in the project may rely on these APIs; never turn them off on destroy.
  disable_on_destroy         = false
  disable_dependent_services = false
}
