"""Data protection's API: retention (`privacy.api.retention`)."""
