// The admin at WCAG 2.2 AA: each field of a tabular inline is named by its column's heading
// (Django labels them by position only), and an inline table that scrolls sideways can be
// reached by the keyboard.
(function () {
  "use strict";

  function nameFields(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          var heading = headings[index];
          if (!heading) { return; }
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            var labelled = field.labels && field.labels.length > 0;
            if (!labelled && !field.hasAttribute("aria-label")) {
              field.setAttribute("aria-label", heading);
            }
          });
        });
      });
    });
    root.querySelectorAll(".inline-group").forEach(function (group) {
      if (!group.hasAttribute("tabindex") && group.querySelector(".tabular")) {
        group.setAttribute("tabindex", "0");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { nameFields(document); });
  document.addEventListener("formset:added", function () { nameFields(document); });
})();
