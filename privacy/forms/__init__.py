"""Data protection's page forms: retention (`privacy.forms.retention`) and subject
access (`privacy.forms.subject_access`)."""
