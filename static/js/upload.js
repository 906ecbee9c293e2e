// Drag-and-drop upload with a progress bar and a clear result per file. Without JavaScript the
// form still posts normally. Each file is sent on its own request so one refusal never blocks the rest.
// Each file's verdict (accepted with its version, accepted with a warning, or refused with the reason) stays
// on the page until the unit dismisses it: the page is not reloaded, only its file list is refreshed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload]");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector("[data-dropzone]");
  var list = form.querySelector("[data-upload-list]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var maxFiles = parseInt(form.dataset.maxFiles || "20", 10);

  function item(name) {
    var li = document.createElement("li");
    li.className = "mb-2 kaohe-upload-item";
    li.setAttribute("data-testid", "upload-verdict");
    var label = document.createElement("div");
    label.className = "d-flex align-items-center gap-2";
    var title = document.createElement("span");
    title.textContent = name;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close ms-auto";
    close.setAttribute("aria-label", "关闭“" + name + "”的上传结果");
    close.setAttribute("data-testid", "upload-dismiss");
    close.addEventListener("click", function () { li.remove(); });
    label.appendChild(title);
    label.appendChild(close);
    var bar = document.createElement("progress");
    bar.className = "kaohe-progress w-100";
    bar.max = 100;
    bar.value = 0;
    var result = document.createElement("div");
    result.className = "small";
    var warning = document.createElement("div");
    warning.className = "small text-warning";
    warning.hidden = true;
    li.appendChild(label);
    li.appendChild(bar);
    li.appendChild(result);
    li.appendChild(warning);
    list.appendChild(li);
    return { li: li, bar: bar, result: result, warning: warning };
  }

  function send(file) {
    return new Promise(function (resolve) {
      var ui = item(file.name);
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { ui.bar.value = Math.round((e.loaded / e.total) * 100); }
      });
      xhr.addEventListener("load", function () {
        var text = "上传失败（" + xhr.status + "）";
        var ok = false;
        var warning = "";
        try {
          var body = JSON.parse(xhr.responseText);
          if (body.error) { text = body.error; }
          else if (body.files && body.files.length) {
            text = body.files[0].message;
            ok = body.files[0].accepted;
            warning = body.files[0].warning || "";
          }
        } catch (err) { /* not JSON: keep the status text */ }
        ui.bar.value = 100;
        ui.bar.hidden = true;
        ui.result.textContent = (ok ? "✓ " : "✗ ") + text;
        ui.result.className = "small " + (ok ? "text-success" : "text-danger");
        ui.result.setAttribute("role", ok ? "status" : "alert");
        ui.li.setAttribute("data-accepted", ok ? "true" : "false");
        if (warning) {
          ui.warning.textContent = "⚠ " + warning;
          ui.warning.hidden = false;
          ui.warning.setAttribute("role", "alert");
        }
        resolve(ok);
      });
      xhr.addEventListener("error", function () {
        ui.result.textContent = "✗ 网络中断，文件未保存，请重试";
        ui.result.className = "small text-danger";
        resolve(false);
      });
      xhr.send(data);
    });
  }

  function uploadAll(files) {
    if (!files.length) { return; }
    if (files.length > maxFiles) {
      var li = document.createElement("li");
      li.className = "text-danger";
      li.textContent = "一次最多上传 " + maxFiles + " 个文件，请分批上传";
      list.appendChild(li);
      return;
    }
    var chain = Promise.resolve(false);
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function (any) { return send(file).then(function (ok) { return any || ok; }); });
    });
    chain.then(function (any) {
      input.value = "";
      if (any) { refreshFiles(); }
    });
  }

  // Swap in the fresh file list and status (the verdicts above stay where they are).
  function refreshFiles() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["[data-files-card]", "[data-testid=task-status]"].forEach(function (selector) {
          var now = document.querySelector(selector), next = fresh.querySelector(selector);
          if (now && next) { now.replaceWith(document.importNode(next, true)); }
        });
        var frame = document.querySelector("[data-preview-frame]");
        if (frame) { frame.hidden = !document.querySelector("[data-testid=file-row]"); }
      })
      .catch(function () { /* the list refreshes on the next visit */ });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    uploadAll(input.files);
  });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("is-over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("is-over"); });
  });
  zone.addEventListener("drop", function (e) { uploadAll(e.dataTransfer.files); });
})();
