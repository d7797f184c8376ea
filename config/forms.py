"""What every page form shares: a service's refusal shown on the form it came from."""

from __future__ import annotations

from .exceptions import DomainError


class DomainErrorsMixin:
    """For a `django.forms.Form`: `add_domain_error` puts a `DomainError`'s field errors beside
    the fields it names and anything else above the form (the error summary lists both)."""

    def add_domain_error(self, exc: DomainError) -> None:
        if not exc.fields:
            self.add_error(None, exc.message)
        for name, messages in exc.fields.items():
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(name if name in self.fields else None, message)
