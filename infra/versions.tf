terraform {
  # 1.9 is the first release whose variable validations may refer to other variables.
  required_version = ">= 1.9, < 2.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.14"
    }
    archive = {
      source = "hashicorp/archive"
      # 2.5 added glob patterns to archive_file excludes.
      version = "~> 2.5"
    }
  }

  # State lives in a bucket you create once (docs/deploy.md, "Prerequisites"), so that
  # people and Cloud Build share it: terraform init -backend-config=bucket=<state bucket>
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = merge(var.labels, { app = "darkroom", managed-by = "terraform" })
}
