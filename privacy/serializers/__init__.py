"""Data protection's API shapes: retention (`privacy.serializers.retention`) and subject
access (`privacy.serializers.subject_access`)."""
