// The decision aid's one behaviour: the "Print this summary" button. (The page's CSP allows
// scripts from this origin only, so the handler lives here rather than in an onclick.)
"use strict";

document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
