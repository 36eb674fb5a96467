"""Background jobs: retries with backoff, failures surfaced to administrators."""
