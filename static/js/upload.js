// Drag-and-drop upload with a progress bar and a clear result per file. Without JavaScript the
// form still posts normally. Each file is sent on its own request so one refusal never blocks the rest.
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
    li.className = "mb-2";
    var label = document.createElement("div");
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.className = "kaohe-progress w-100";
    bar.max = 100;
    bar.value = 0;
    var result = document.createElement("div");
    result.className = "small";
    li.appendChild(label);
    li.appendChild(bar);
    li.appendChild(result);
    list.appendChild(li);
    return { bar: bar, result: result };
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
        try {
          var body = JSON.parse(xhr.responseText);
          if (body.error) { text = body.error; }
          else if (body.files && body.files.length) { text = body.files[0].message; ok = body.files[0].accepted; }
        } catch (err) { /* not JSON: keep the status text */ }
        ui.bar.value = 100;
        ui.result.textContent = (ok ? "✓ " : "✗ ") + text;
        ui.result.className = "small " + (ok ? "text-success" : "text-danger");
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
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return send(file); });
    });
    chain.then(function () { window.setTimeout(function () { window.location.reload(); }, 1200); });
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
