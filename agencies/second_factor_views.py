"""Pages of the second factor: the code step after the password, enrolment, recovery codes,
passkeys, and an agency administrator's reset of a member's second factor."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialRegistrationView

from config.exceptions import DomainError

from . import policy
from . import second_factor as sf
from .forms import SecondFactorCodeForm, SecondFactorResetForm, TotpConfirmForm
from .models import Membership
from .selectors import membership_of


def _next_url(request) -> str:
    """Where to go once signed in: `next` when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _with_next(url: str, request) -> str:
    target = request.GET.get("next")
    return f"{url}?{request.GET.urlencode()}" if target else url


@method_decorator(never_cache, name="dispatch")
class VerifyView(LoginRequiredMixin, View):
    """The code step after the password: an authenticator app's code, a recovery code, or a
    passkey."""

    template_name = "registration/second_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return HttpResponseRedirect(_next_url(request))
            if not sf.has_second_factor(request.user):
                return HttpResponseRedirect(_with_next(reverse("second-factor-enrol"), request))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        context = {
            "form": form,
            "next": _next_url(request),
            "has_passkey": WebAuthnCredential.objects.filter(
                user=request.user, confirmed=True
            ).exists(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, SecondFactorCodeForm())

    def post(self, request):
        form = SecondFactorCodeForm(request.POST)
        if form.is_valid():
            device = sf.verify_code(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return HttpResponseRedirect(_next_url(request))
            form.add_error("code", "That code is not valid (or was already used).")
        return self._render(request, form, status=400)


@method_decorator(never_cache, name="dispatch")
class EnrolView(LoginRequiredMixin, View):
    """Set up a second factor: an authenticator app (scan the QR code, type a code) or a
    passkey. A session that has not passed its existing second factor may not add another."""

    template_name = "registration/second_factor_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not request.user.is_verified()
            and sf.has_second_factor(request.user)
        ):
            return HttpResponseRedirect(_with_next(reverse("second-factor-verify"), request))
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        device = sf.totp_device_pending(user=request.user)
        context = {
            "form": form,
            "next": _next_url(request),
            "qr_svg": sf.totp_qr_svg(device),
            "secret": sf.totp_secret_text(device),
            "device_id": device.pk,
            "recovery_url": reverse("second-factor-recovery"),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, TotpConfirmForm())

    def post(self, request):
        form = TotpConfirmForm(request.POST)
        if form.is_valid():
            device = sf.totp_device_pending(user=request.user)
            if sf.totp_confirm(user=request.user, device=device, code=form.cleaned_data["code"]):
                device.refresh_from_db()
                otp_login(request, device)
                codes = sf.recovery_codes_issue(user=request.user)
                return render(
                    request,
                    "registration/second_factor_recovery.html",
                    {"codes": codes, "next": _next_url(request), "enrolled": True},
                )
            form.add_error("code", "That code does not match. Check the app's clock and try "
                           "the code it shows now.")
        return self._render(request, form, status=400)


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(LoginRequiredMixin, View):
    """Recovery codes: how many are left, and a fresh set (shown once) on request."""

    template_name = "registration/second_factor_recovery.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not sf.has_second_factor(request.user):
            return HttpResponseRedirect(reverse("second-factor-enrol"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(
            request,
            self.template_name,
            {"has_codes": sf.has_recovery_codes(request.user), "next": _next_url(request)},
        )

    def post(self, request):
        codes = sf.recovery_codes_issue(user=request.user)
        return render(request, self.template_name, {"codes": codes, "next": _next_url(request)})


class PasskeyRegistrationCompleteView(CompleteCredentialRegistrationView):
    """The library's registration, with the enrolment written to the trail in its transaction."""

    def post(self, *args, **kwargs):
        with transaction.atomic():
            response = super().post(*args, **kwargs)
            sf.webauthn_registered(user=self.request.user)
        return response


@method_decorator(never_cache, name="dispatch")
class MembersView(LoginRequiredMixin, View):
    """An agency administrator's list of its members, each with its second factor's state and
    a reset."""

    template_name = "agencies/members.html"

    def _admin(self, request) -> Membership:
        member = membership_of(request.user)
        if not policy.may(member, "manage_members"):
            raise Http404
        return member

    def _render(self, request, admin, *, form=None, target=None, status=200, done=None):
        members = list(
            Membership.objects.filter(agency=admin.agency).select_related("user")
            .order_by("user__username")
        )
        enrolled = sf.users_with_second_factor([m.user_id for m in members])
        rows = [(m, m.user_id in enrolled) for m in members]
        context = {"rows": rows, "form": form, "target": target, "done": done,
                   "agency": admin.agency}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, self._admin(request))

    def post(self, request, membership_id: int):
        admin = self._admin(request)
        target = get_object_or_404(
            Membership.objects.select_related("user", "agency"),
            pk=membership_id, agency=admin.agency,
        )
        # The reason field's id is the row's (`reason-<id>`): the error summary links to it.
        form = SecondFactorResetForm(request.POST, auto_id=f"%s-{target.pk}")
        if form.is_valid():
            try:
                sf.second_factor_reset(
                    membership=target, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return self._render(request, admin, done=target)
        return self._render(request, admin, form=form, target=target, status=400)
