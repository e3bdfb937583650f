/* The error summary of a form (includes/error_summary.html): on load, focus moves to it, so a screen reader
   reads it and the next Tab reaches its links; a link moves to its field (opening a folded panel around it)
   and shows the field's label. Without JavaScript the links still jump to the fields. */
(function () {
  "use strict";
  if (window.motcuaErrorSummary) { return; }
  window.motcuaErrorSummary = true;

  function labelOf(field) {
    var label = field.id && document.querySelector("label[for='" + field.id + "']");
    var fieldset = field.closest("fieldset");
    return (fieldset && fieldset.querySelector("legend")) || label || field;
  }

  function moveTo(field) {
    for (var panel = field.closest("details"); panel; panel = panel.parentElement.closest("details")) {
      panel.open = true;
    }
    labelOf(field).scrollIntoView();
    field.focus({ preventScroll: true });
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-error-summary] a[href^='#']");
      var field = link && document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!field) { return; }
      event.preventDefault();
      moveTo(field);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
