"""Subject access requests, what was found for them and what was disclosed."""

__all__: list[str] = []
