// The minutes page's Print button (a script file: the Content-Security-Policy allows no inline
// script or on* attribute).
(function () {
  "use strict";
  const button = document.querySelector("[data-testid=print-minutes]");
  if (button) button.addEventListener("click", () => window.print());
})();
