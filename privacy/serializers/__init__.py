"""Data protection's API shapes: retention (`privacy.serializers.retention`)."""
