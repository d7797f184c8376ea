"""Errors services raise; the API's exception handler turns each into its status and code."""


class DomainError(Exception):
    """A request the domain refuses. `fields` names the inputs at fault, if any."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class NotAllowed(DomainError):
    """Visible to the caller, but their role or agency may not do this."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The state changed: already claimed, already done, a duplicate, a stale version."""

    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"
