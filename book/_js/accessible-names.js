// Accessible names for three controls the theme and the widgets leave unnamed, so that a
// screen reader says what each one is (axe rules summary-name, aria-input-field-name,
// label; checked by tests/test_book_browser.py):
// - the sidebar's show/hide toggles (<summary> holding only an icon);
// - ipywidgets slider handles (role="slider"), named from the widget's own description;
// - the printable checklists' tick boxes, named from the item's text.
// Widgets are drawn after the page loads, so new ones are named as they appear.
(function () {
  "use strict";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameToggles(root) {
    root.querySelectorAll("summary").forEach(function (summary) {
      if (text(summary) || summary.hasAttribute("aria-label")) return;
      var item = summary.closest("li");
      var link = item && item.querySelector(":scope > a");
      var part = text(link);
      summary.setAttribute("aria-label", part ? "Show or hide the pages under " + part
                                              : "Show or hide these pages");
    });
  }

  function nameSliders(root) {
    root.querySelectorAll('[role="slider"]').forEach(function (handle) {
      if (handle.hasAttribute("aria-label") || handle.hasAttribute("aria-labelledby")) return;
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      var label = text(widget && widget.querySelector(".widget-label"));
      handle.setAttribute("aria-label", label || "Slider");
    });
  }

  function nameTickBoxes(root) {
    root.querySelectorAll("input.task-list-item-checkbox").forEach(function (box) {
      if (box.hasAttribute("aria-label")) return;
      var item = box.closest("li");
      box.setAttribute("aria-label", text(item) || "Checklist item");
    });
  }

  function nameAll(root) {
    nameToggles(root);
    nameSliders(root);
    nameTickBoxes(root);
  }

  function start() {
    nameAll(document);
    new MutationObserver(function (changes) {
      var added = changes.some(function (c) { return c.addedNodes.length > 0; });
      if (added) nameSliders(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
