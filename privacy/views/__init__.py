"""Data protection's pages: retention (`privacy.views.retention`) and subject
access (`privacy.views.subject_access`)."""
