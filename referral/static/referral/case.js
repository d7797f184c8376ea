// The case pages: focus the error summary when a form comes back with errors, and the print
// button of the case file (no inline script: the Content-Security-Policy forbids it).
(function () {
  function ready() {
    var summary = document.querySelector(".concord-error-summary");
    if (summary) {
      summary.focus();
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
