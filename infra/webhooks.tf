# Signed webhooks (docs/integrations.md). The signing secret is created empty; add a
# Standard Webhooks secret yourself, so it never enters Terraform state:
#   printf 'whsec_%s' "$(openssl rand -base64 32)" | gcloud secrets versions add darkroom-webhook-secret --data-file=-
# The function reads it as WEBHOOK_SECRET (secret environment variable).

resource "google_secret_manager_secret" "webhook_secret" {
  count = local.webhooks_enabled ? 1 : 0

  project   = var.project_id
  secret_id = "darkroom-webhook-secret"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "runtime_webhook_secret" {
  count = local.webhooks_enabled ? 1 : 0

  project   = var.project_id
  secret_id = google_secret_manager_secret.webhook_secret[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

locals {
  webhooks_enabled = var.webhook_url != "" || length(var.webhook_hosts) > 0
}
