/*
 * Concord's page behaviour, served as a file (the Content-Security-Policy allows no inline
 * script). Runs on the first load and after each Turbo visit:
 * - an error summary takes focus and prefixes the title with "Error: "; its links focus the field;
 * - a table wider than its box becomes a focusable, scrollable region;
 * - "Go back" buttons of the error pages go back in the browser's history.
 */
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = root.querySelector(".concord-error-summary");
    if (!summary) return;
    if (document.title.indexOf("Error: ") !== 0) document.title = "Error: " + document.title;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  function fieldFor(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }

  function onSummaryClick(event) {
    var link = event.target.closest(".concord-error-summary a[href^='#']");
    if (!link) return;
    var field = fieldFor(link);
    if (!field) return;
    event.preventDefault();
    // Show the field's label (or its fieldset's legend) above it, then focus it.
    var label = document.querySelector("label[for='" + field.id + "']");
    var fieldset = field.closest("fieldset");
    var target = (fieldset && fieldset.querySelector("legend")) || label || field;
    target.scrollIntoView();
    field.focus({ preventScroll: true });
  }

  function scrollableTables(root) {
    root.querySelectorAll(".concord-table, table.mdc-data-table__table, .concord-scroll").forEach(
      function (box) {
        if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          if (!box.hasAttribute("role") && box.tagName !== "TABLE") box.setAttribute("role", "region");
          if (!box.hasAttribute("aria-label") && box.tagName !== "TABLE") {
            box.setAttribute("aria-label", "Scrollable table");
          }
        }
      }
    );
  }

  function backButtons(root) {
    if (window.history.length < 2) return;
    root.querySelectorAll("[data-concord-back]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function onBackClick(event) {
    if (event.target.closest("[data-concord-back]")) {
      event.preventDefault();
      window.history.back();
    }
  }

  function ready() {
    focusErrorSummary(document);
    scrollableTables(document);
    backButtons(document);
  }

  document.addEventListener("click", onSummaryClick);
  document.addEventListener("click", onBackClick);
  // Both: Turbo may announce the first load before this deferred script runs; running twice
  // changes nothing the first run did not.
  document.addEventListener("turbo:load", ready);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  window.addEventListener("resize", function () { scrollableTables(document); });
})();
