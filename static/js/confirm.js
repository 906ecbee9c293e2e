// Confirmation before an irreversible POST: <form data-confirm="what will happen"> shows a <dialog> with that
// text and 取消 / the action's name (data-confirm-ok, default 确定). data-confirm-action="submit" asks only when
// the form is sent by the button with value="submit" (e.g. "保存（暂不提交）" beside "提交"). Loaded on every page
// as a file (the CSP forbids inline script); without JavaScript the form posts as before.
// (Buttons with their own data-confirm, in fieldwork.js and abilitytests/paper.js, keep their page's handling.)
(function () {
  "use strict";
  var dialog = null;
  var text = null;
  var ok = null;
  var pending = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "kaohe-confirm";
    dialog.setAttribute("data-testid", "confirm-dialog");
    dialog.setAttribute("aria-labelledby", "kaohe-confirm-text");
    var form = document.createElement("form");
    form.method = "dialog";
    text = document.createElement("p");
    text.id = "kaohe-confirm-text";
    text.className = "kaohe-confirm-text";
    var buttons = document.createElement("div");
    buttons.className = "d-flex justify-content-end gap-2";
    var cancel = document.createElement("button");
    cancel.value = "cancel";
    cancel.className = "btn btn-outline-secondary";
    cancel.textContent = "取消";
    cancel.setAttribute("data-testid", "confirm-cancel");
    cancel.autofocus = true;
    ok = document.createElement("button");
    ok.value = "ok";
    ok.className = "btn btn-danger";
    ok.setAttribute("data-testid", "confirm-ok");
    buttons.appendChild(cancel);
    buttons.appendChild(ok);
    form.appendChild(text);
    form.appendChild(buttons);
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var job = pending;
      pending = null;
      if (!job || dialog.returnValue !== "ok") { return; }
      job.form.setAttribute("data-confirmed", "");
      if (job.submitter && job.form.requestSubmit) { job.form.requestSubmit(job.submitter); }
      else if (job.form.requestSubmit) { job.form.requestSubmit(); }
      else { job.form.submit(); }
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm") || e.defaultPrevented) { return; }
    if (form.hasAttribute("data-confirmed")) { form.removeAttribute("data-confirmed"); return; }
    var only = form.getAttribute("data-confirm-action");
    if (only && !(e.submitter && e.submitter.value === only)) { return; }
    if (typeof HTMLDialogElement === "undefined") {
      if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
      return;
    }
    e.preventDefault();
    if (!dialog) { build(); }
    text.textContent = form.getAttribute("data-confirm");
    ok.textContent = form.getAttribute("data-confirm-ok") || "确定";
    pending = { form: form, submitter: e.submitter || null };
    dialog.returnValue = "";
    dialog.showModal();
  });
})();
