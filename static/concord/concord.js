// Concord's page behaviour, loaded on every page (no inline script: the CSP forbids it).
// An error summary takes the focus when its page loads, so a screen reader announces it and
// the keyboard starts from it; its links move the focus to the field they name.
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector(".concord-error-summary");
    if (summary && !summary.dataset.focused) {
      summary.dataset.focused = "true";
      summary.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".concord-error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
  document.addEventListener("turbo:load", focusErrorSummary);
})();
