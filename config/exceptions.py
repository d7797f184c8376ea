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


class NotFound(DomainError):
    """Missing, or hidden from the caller: the two are one answer, so a hidden record is not
    told from one that does not exist. The API answers 404; pages answer with the 404 page
    (`config.middleware.NotFoundMiddleware`)."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class NotAllowed(DomainError):
    """Visible to the caller, but their role or agency may not do this."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The state changed: already claimed, already done, a duplicate, a stale version."""

    status = 409
    code = "conflict"
