"""Data protection's reads: retention (`privacy.selectors.retention`)."""
