// Small behaviours of every page, bound by data attributes instead of inline handlers (which
// the Content-Security-Policy refuses): delegated from the document, so that they also work
// in fragments htmx swaps in.
//   data-print              a button that prints the page
//   data-select-on-focus    a read-only field whose text is selected when it gets the focus
//   data-copy-from="<id>"   a button that copies the text of the field with that id
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-print]")) {
      window.print();
      return;
    }
    var copy = target.closest("[data-copy-from]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy-from"));
      if (!field) return;
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value);
      } else {
        document.execCommand("copy");
      }
    }
  });

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) {
      if (target.hasAttribute("data-select-on-focus")) target.select();
    }
  });
})();
