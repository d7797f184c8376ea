// Once django-otp-webauthn has registered a passkey, go on to the recovery codes.
document.addEventListener("otp_webauthn.register_complete", () => {
  const after = document.getElementById("second-factor-after-passkey");
  if (after && after.dataset.url) {
    window.location.assign(after.dataset.url);
  }
});
