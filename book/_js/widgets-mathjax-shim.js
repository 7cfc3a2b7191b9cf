// ipywidgets' html-manager typesets widget labels with the MathJax 2 call
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); this site serves MathJax 3, which has
// no Hub, so without this shim a page with both a formula and a widget throws an error.
// Loaded before the widget script on widget pages only (nb_ipywidgets_js in _config.yml).
(function () {
  "use strict";
  function typesetLater(job) {
    var element = job && job[2];
    var mathjax = window.MathJax;
    if (element && mathjax && typeof mathjax.typesetPromise === "function") {
      mathjax.typesetPromise([element]).catch(function () {});
    }
  }
  function patch() {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = { Queue: typesetLater };
    }
  }
  patch();
  document.addEventListener("DOMContentLoaded", patch);
})();
