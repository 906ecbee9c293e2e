// 实地考核: "满分" fills the task's points, a reason chip fills the reason, confirmations before removals,
// and the schedule's print button. Loaded as a file (the CSP forbids inline scripts and handlers).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) { return; }
    var full = target.closest("[data-full]");
    if (full) {
      var form = full.closest("form");
      var score = form && form.querySelector("input[name=score]");
      if (score) { score.value = form.getAttribute("data-points"); score.focus(); }
      return;
    }
    var chip = target.closest("[data-reason]");
    if (chip) {
      var reason = chip.closest("form").querySelector("textarea[name=reason]");
      if (reason) { reason.value = chip.getAttribute("data-reason"); reason.focus(); }
      return;
    }
    var confirmer = target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      e.preventDefault();
      return;
    }
    if (target.closest("[data-print]")) { window.print(); }
  });
})();
