"""Data protection's API: retention (`privacy.api.retention`) and subject
access (`privacy.api.subject_access`)."""
