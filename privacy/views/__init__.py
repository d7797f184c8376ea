"""Data protection's pages: retention (`privacy.views.retention`)."""
