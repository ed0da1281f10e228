# Lineage lives in Firestore (native mode): jobs/{jobId} with stages and attempts
# subcollections, and assets/{sha256}.

resource "google_firestore_database" "lineage" {
  count = var.create_firestore_database ? 1 : 0

  project     = var.project_id
  name        = var.firestore_database
  location_id = local.firestore_location
  type        = "FIRESTORE_NATIVE"

  # Claims are create-only writes and never rely on transaction isolation, so the
  # default concurrency mode is fine.
  concurrency_mode        = "PESSIMISTIC"
  delete_protection_state = var.firestore_delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # terraform destroy leaves the lineage in place; delete it yourself if you mean to.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.apis]
}

locals {
  firestore_database = var.create_firestore_database ? google_firestore_database.lineage[0].name : var.firestore_database
}

# LineageStore.listJobs({ sourceKey }): jobs where sourceKey == X order by createdAt desc.
# (Jobs ordered by createdAt alone use the automatic single-field index.)
resource "google_firestore_index" "jobs_by_source" {
  project    = var.project_id
  database   = local.firestore_database
  collection = "jobs"

  fields {
    field_path = "sourceKey"
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

# Operators' query: jobs where status == failed (or running) order by createdAt desc.
resource "google_firestore_index" "jobs_by_status" {
  project    = var.project_id
  database   = local.firestore_database
  collection = "jobs"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

# Jobs of one label value (e.g. an e-commerce SKU), newest first.
resource "google_firestore_index" "jobs_by_label" {
  for_each = toset(var.label_index_keys)

  project    = var.project_id
  database   = local.firestore_database
  collection = "jobs"

  fields {
    field_path = "labels.${each.value}"
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

# Cleanup only, never correctness: TTL deletion runs typically within 24 hours after
# expiry, and expired documents still show up in queries until then. It removes
# attempt records (jobs/*/attempts/*) that carry an expireAt timestamp; documents
# without the field are kept forever. Jobs, stages and assets carry no TTL.
resource "google_firestore_field" "attempts_ttl" {
  project    = var.project_id
  database   = local.firestore_database
  collection = local.attempts_ttl_collection
  field      = local.attempts_ttl_field

  ttl_config {}

  # A timestamp field that only TTL reads needs no index (and would hotspot).
  index_config {}
}
