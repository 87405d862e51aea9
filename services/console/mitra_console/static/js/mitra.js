// Mitra's small progressive enhancements (every flow works without this file).
// - The error summary takes the focus when a page shows one, so screen readers announce it.
// - A button with data-confirm asks before its form is sent.
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-focus]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusSummary(event.target); });
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
