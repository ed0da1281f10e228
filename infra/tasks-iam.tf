# Least privilege for tasks mode: the invoker account may only call the worker; the runtime
# account may only add tasks to the model queues and mint the invoker's OIDC token for them.

resource "google_service_account" "tasks_invoker" {
  count = local.tasks_enabled ? 1 : 0

  project      = var.project_id
  account_id   = "darkroom-tasks"
  display_name = "Darkroom Cloud Tasks invoker"
  description  = "The OIDC identity of stage tasks; may only invoke the runStage worker."
}

resource "google_cloud_run_v2_service_iam_member" "tasks_invoker_run_stage" {
  count = local.tasks_enabled ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.run_stage[0].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks_invoker[0].email}"
}

# cloudtasks.enqueuer grants create only (no get, list or delete), on each queue.
resource "google_cloud_tasks_queue_iam_member" "runtime_enqueuer" {
  for_each = local.task_queues

  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.model[each.key].name
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.runtime.email}"
}

# A task with an oidcToken needs actAs on the token's account, granted on that account only.
resource "google_service_account_iam_member" "runtime_acts_as_tasks_invoker" {
  count = local.tasks_enabled ? 1 : 0

  service_account_id = google_service_account.tasks_invoker[0].name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.runtime.email}"
}
