"""Data protection's events on the trail: retention (`privacy.events.retention`)."""
