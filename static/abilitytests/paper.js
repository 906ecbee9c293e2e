// 依法行政能力测试: the countdown on the testee's paper. The server enforces the deadline; this only shows
// the time left and hands the paper in when it runs out (answers saved until then count either way).
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
