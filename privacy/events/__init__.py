"""Data protection's events on the trail: retention (`privacy.events.retention`) and subject
access (`privacy.events.subject_access`)."""
