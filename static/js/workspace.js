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

  // Recording a session: the outcome is a row of buttons (each reached by Tab, pressed with
  // Space or Enter) that fill the hidden "outcome" field; only the fields of the chosen
  // outcome are shown. Focus starts on the first field with an error, else the chosen outcome.
  function syncOutcome(form) {
    var input = form.querySelector("input[name=outcome]");
    var outcome = input && input.value ? input.value : "done";
    form.querySelectorAll("[data-outcome-choice]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-outcome-choice") === outcome));
    });
    form.querySelectorAll("[data-outcome]").forEach(function (block) {
      block.hidden = block.getAttribute("data-outcome").split(" ").indexOf(outcome) < 0;
    });
  }
  document.querySelectorAll("form[data-record-session]").forEach(function (form) {
    syncOutcome(form);
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-outcome-choice]");
      if (button) {
        form.querySelector("input[name=outcome]").value = button.getAttribute("data-outcome-choice");
        syncOutcome(form);
      }
    });
    var first = Array.prototype.find.call(
      form.querySelectorAll(".is-invalid, [aria-pressed=true]"),
      function (element) { return element.offsetParent !== null; }
    );
    if (first) { first.focus(); }
  });

  // Planning a course: while the preview refuses, Save is off and says why; the refusal's
  // "Use this date" moves beside the date field, the next stop of Tab after it.
  function syncPlan() {
    var form = document.getElementById("plan-form");
    var preview = document.getElementById("preview");
    if (!form || !preview) { return; }
    var refused = preview.querySelector("[data-refused]") !== null;
    var save = document.getElementById("plan-save");
    var why = document.getElementById("plan-save-why");
    if (save) { save.disabled = refused; }
    if (why) { why.hidden = !refused; }
    var slot = document.getElementById("start-suggestion");
    if (slot) {
      var use = preview.querySelector("[data-move-to=start-suggestion]");
      slot.replaceChildren();
      if (use) { slot.appendChild(use); }
    }
  }
  syncPlan();
  document.addEventListener("htmx:afterSwap", syncPlan);

  // Forms that create something disable their submit button once sent (one click, one record).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-once")) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });
})();
