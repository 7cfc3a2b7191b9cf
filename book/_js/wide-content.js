// Wide formulas and tables on a narrow screen (a phone is about 390 px wide): each scrolls
// sideways inside the page instead of being cut off, and says so. An element wider than its
// column gets the class "wide-content" (a visible scroll bar and a fade at the cut edge,
// book/_js/course.css) and, just before it, a line "Scroll sideways to see all of it".
// Formulas are typeset after the page loads, so the check runs again as they appear and when
// the window is resized. Checked at 390 px by tests/test_course_widgets.py.
(function () {
  "use strict";

  var WIDE = [
    ".bd-article mjx-container[display='true']",
    ".bd-article div.math",
    ".bd-article .pst-scrollable-table-container",
    ".bd-article .table-wrapper",
    ".bd-article div.cell_output .output.text_html",
  ].join(", ");
  var HINT = "Scroll sideways to see all of it \u2192";

  function isWide(element) {
    return element.scrollWidth > element.clientWidth + 1;
  }

  // A formula's line ("div.math") may lay out its children in a row: the hint goes before
  // the line, not beside the formula.
  function anchorOf(element) {
    return element.closest("div.math") || element;
  }

  function hintFor(element) {
    var before = anchorOf(element).previousElementSibling;
    return before && before.classList.contains("scroll-hint") ? before : null;
  }

  function mark(element) {
    if (element.parentElement && element.parentElement.closest(".wide-content")) return;
    var wide = isWide(element);
    element.classList.toggle("wide-content", wide);
    var hint = hintFor(element);
    if (wide && !hint) {
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.textContent = HINT;
      var anchor = anchorOf(element);
      anchor.parentNode.insertBefore(hint, anchor);
    } else if (!wide && hint) {
      hint.remove();
    }
    if (wide && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "0");  // so it can be scrolled from the keyboard
    }
  }

  // A table's own scrolling box, wherever a pack or the theme put one (or null).
  function scrollerOf(table) {
    for (var box = table.parentElement; box && !box.matches(".bd-article");
         box = box.parentElement) {
      var overflow = window.getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") return box;
    }
    return null;
  }

  var pending = false;
  function markAll() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      var boxes = Array.prototype.slice.call(document.querySelectorAll(WIDE));
      document.querySelectorAll(".bd-article table").forEach(function (table) {
        var box = scrollerOf(table);
        if (box && boxes.indexOf(box) < 0) boxes.push(box);
      });
      boxes.forEach(mark);
    });
  }

  function start() {
    markAll();
    window.addEventListener("resize", markAll);
    new MutationObserver(function (changes) {
      var grown = changes.some(function (c) {
        return c.addedNodes.length > 0 && !(c.target.classList &&
                                            c.target.classList.contains("scroll-hint"));
      });
      if (grown) markAll();
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
