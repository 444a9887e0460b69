// Small behaviours of the workspace. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";

  // A select marked data-autosubmit submits its form when changed (the language switch).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    // "Use this date" in a refused preview: put the earliest start into the form and re-check.
    var button = event.target.closest && event.target.closest("[data-use-date]");
    if (button) {
      var input = document.getElementById(button.getAttribute("data-target") || "id_start");
      if (input) {
        input.value = button.getAttribute("data-use-date");
        input.dispatchEvent(new Event("change", { bubbles: true }));
        input.focus();
      }
    }
  });

  // Recording a session: show the fields that belong to the chosen outcome.
  function syncOutcome(form) {
    var checked = form.querySelector("input[name=outcome]:checked");
    var outcome = checked ? checked.value : "done";
    form.querySelectorAll("[data-outcome]").forEach(function (block) {
      block.hidden = block.getAttribute("data-outcome") !== outcome;
    });
  }
  document.querySelectorAll("form[data-record-session]").forEach(function (form) {
    syncOutcome(form);
    form.addEventListener("change", function () { syncOutcome(form); });
  });

  // Forms that create something disable their submit button once sent (one click, one record).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-once")) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });
})();
