"""Data protection's page forms: retention (`privacy.forms.retention`)."""
