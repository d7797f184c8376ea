"""Data protection's reads: retention (`privacy.selectors.retention`) and subject
access (`privacy.selectors.subject_access`)."""
