// 依法行政能力测试: the countdown on the testee's paper, and saving answers in the background. The server
// enforces the deadline; this shows the time left, saves the answers a few seconds after each change (and
// every minute while something is unsaved), and hands the paper in when the time runs out.
(function () {
  "use strict";
  var source = document.getElementById("test-clock");
  var form = document.getElementById("answer-form");
  var display = document.querySelector("[data-testid=countdown]");
  if (!source || !form || !display) { return; }
  var clock = JSON.parse(source.textContent);
  var endsAt = Date.now() + clock.remaining * 1000; // the server's remaining seconds: immune to a wrong local clock
  var sent = false;

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function handIn() {
    if (sent) { return; }
    sent = true;
    var action = document.getElementById("auto-action");
    action.value = "submit";
    action.disabled = false;
    form.submit();
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    display.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    display.classList.toggle("is-low", left <= 60);
    if (left <= 0) { handIn(); return; }
    window.setTimeout(tick, 500);
  }

  var status = document.querySelector("[data-testid=autosave]");
  var dirty = false;
  var pending = null;

  function autosave() {
    pending = null;
    if (!dirty || sent) { return; }
    dirty = false;
    var data = new FormData(form);
    data.set("action", "save");
    window.fetch(form.getAttribute("action"), { // not form.action: an input named "action" shadows it
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Kaohe-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok && result.body.saved) {
        if (status) { status.textContent = "已自动保存（" + result.body.at + "）"; }
      } else {
        window.location.reload(); // the attempt is over: the page says why
      }
    }).catch(function () {
      dirty = true; // offline for a moment: try again later
      if (status) { status.textContent = "自动保存失败，将重试；也可点击“保存答案”"; }
    });
  }

  function changed() {
    dirty = true;
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(autosave, 3000);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  window.setInterval(function () { if (dirty && !pending) { autosave(); } }, 60000);

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !sent && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    sent = true;
  });
  tick();
}());
