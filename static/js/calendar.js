// The calendar's time grid: drag a session onto a free slot to move it, and warnings that can be
// closed with Escape. Plain JavaScript, loaded from a file (Content-Security-Policy: no inline
// scripts or handlers).
//
// A block the user may move is draggable and names its move URL and its course's version; every
// free cell of a therapist's column names its date, time and therapist. A drop fills the page's
// one hidden form (#cal-move-form, with the CSRF token) and POSTs it to the session's move URL:
// the same request the move page makes, which the keyboard reaches through the block's Move link.
(function () {
  "use strict";

  var form = document.getElementById("cal-move-form");
  var dragged = null;

  function cellOf(target) {
    return target && target.closest ? target.closest("[data-drop]") : null;
  }

  function clearOver() {
    document.querySelectorAll(".cal-drop-over").forEach(function (cell) {
      cell.classList.remove("cal-drop-over");
    });
  }

  if (form) {
    document.addEventListener("dragstart", function (event) {
      var block = event.target.closest && event.target.closest("[data-move-url]");
      if (!block) { return; }
      dragged = block;
      block.classList.add("cal-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", block.id);
    });

    document.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("cal-dragging"); }
      dragged = null;
      clearOver();
    });

    document.addEventListener("dragover", function (event) {
      var cell = cellOf(event.target);
      if (!dragged || !cell) { return; }
      event.preventDefault(); // a free slot accepts the drop
      event.dataTransfer.dropEffect = "move";
      if (!cell.classList.contains("cal-drop-over")) {
        clearOver();
        cell.classList.add("cal-drop-over");
      }
    });

    document.addEventListener("drop", function (event) {
      var cell = cellOf(event.target);
      if (!dragged || !cell) { return; }
      event.preventDefault();
      form.action = dragged.getAttribute("data-move-url");
      form.elements.date.value = cell.getAttribute("data-date");
      form.elements.time.value = cell.getAttribute("data-time");
      form.elements.therapist.value = cell.getAttribute("data-therapist");
      form.elements.version.value = dragged.getAttribute("data-version");
      form.elements.next.value = window.location.pathname + window.location.search;
      form.submit();
    });
  }

  // A warning's text shows on hover and focus (CSS); Escape hides it again without moving focus
  // (WCAG 1.4.13), until the pointer or focus comes back.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var warn = document.activeElement;
    if (warn && warn.classList && warn.classList.contains("cal-warn")) {
      var tip = document.getElementById(warn.getAttribute("aria-describedby"));
      if (tip) { tip.hidden = true; }
    }
  });
  function showTip(event) {
    if (event.target.classList && event.target.classList.contains("cal-warn")) {
      var tip = document.getElementById(event.target.getAttribute("aria-describedby"));
      if (tip) { tip.hidden = false; }
    }
  }
  document.addEventListener("focusin", showTip);
  document.addEventListener("mouseover", showTip);
})();
