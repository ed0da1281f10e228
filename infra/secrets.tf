# Secrets are created empty. Add the value yourself, so it never enters Terraform
# state or this repository:
#   printf '%s' "$GEMINI_API_KEY" | gcloud secrets versions add darkroom-gemini-api-key --data-file=-
# The function reads the latest version at instance start (secret environment variable).

resource "google_secret_manager_secret" "gemini_api_key" {
  count = var.use_vertex ? 0 : 1

  project   = var.project_id
  secret_id = "darkroom-gemini-api-key"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "replicate_api_token" {
  count = var.enable_replicate ? 1 : 0

  project   = var.project_id
  secret_id = "darkroom-replicate-api-token"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}
