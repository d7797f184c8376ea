"""The password-reset request page, throttled per email address and per client address.

Each request that would send a reset mail counts against the address it names and the
client that sent it, in the shared cache, over PASSWORD_RESET_WINDOW seconds. Past either limit
the page answers 429 and sends nothing. The limits count what is asked, not whether an account
has that address, so the answer never says whether one does.
"""

import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render


def counter_key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()  # no address in the cache's keys
    return f"password-reset:{kind}:{digest}"


def _spend(kind: str, value: str, limit: int) -> bool:
    """Count one request against `value`; False once it is past `limit` in the window."""
    key = counter_key(kind, value)
    cache.add(key, 0, timeout=settings.PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.PASSWORD_RESET_WINDOW)
        count = 1
    return count <= limit


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        client = get_client_ip_address(self.request) or "unknown"
        # Both are counted, so that neither limit can be spent down without the other.
        per_account = _spend("email", email, settings.PASSWORD_RESET_LIMIT_PER_EMAIL)
        per_client = _spend("client", client, settings.PASSWORD_RESET_LIMIT_PER_CLIENT)
        if not (per_account and per_client):
            return render(
                self.request, "registration/password_reset_throttled.html", status=429
            )
        return super().form_valid(form)
