// The evaluation grid (and a unit's evaluation page): keyboard grading, live counter, focus kept after a
// save, the reason field opened only below full marks (on the grid: the lean cell opened into the full one),
// and selecting several cells for one grade.
// Saving a cell is htmx's job (hx-trigger="change" on each cell form); this file never changes a grade
// on an arrow key: arrows only move between cells.
(function () {
  "use strict";
  var table = document.querySelector("[data-grid]");
  if (!table) { return; }
  var FULL = "excellent";
  var GRADE_KEYS = { "1": "excellent", "2": "good", "3": "fair", "4": "poor", y: "excellent", l: "good", z: "fair", c: "poor" };
  var MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Enter: [1, 0] };

  // --- moving between cells -------------------------------------------------------------------------
  function position(el) {
    var td = el.closest("td");
    if (!td) { return null; }
    var tr = td.parentElement;
    return { row: Array.prototype.indexOf.call(tr.parentElement.children, tr), col: Array.prototype.indexOf.call(tr.children, td) };
  }
  function inputAt(row, col) {
    var body = table.tBodies[0];
    if (row < 0 || row >= body.rows.length) { return null; }
    var td = body.rows[row].children[col];
    if (!td) { return null; }
    return td.querySelector("[data-grid-input]:not([disabled])") || td.querySelector("[data-grid-input]") || false;
  }
  function move(from, dRow, dCol) {
    // Walk in the direction until a cell with an input (skipping 不涉及, 明年考核, 回避 cells).
    var row = from.row + dRow, col = from.col + dCol;
    for (var guard = 0; guard < 500; guard += 1) {
      var target = inputAt(row, col);
      if (target === null) { return; }
      if (target) {
        target.focus();
        if (target.select && target.tagName === "INPUT") { target.select(); }
        return;
      }
      row += dRow;
      col += dCol;
    }
  }

  // --- reason only below full marks -------------------------------------------------------------------
  function formOf(el) { return el.closest("form.kaohe-cell"); }
  function belowFull(form) {
    var grade = form.querySelector("select[name=grade]");
    if (grade) { return grade.value !== "" && grade.value !== FULL; }
    var score = form.querySelector("input[name=score]");
    var points = parseFloat(form.getAttribute("data-points"));
    if (!score || score.value.trim() === "" || isNaN(points)) { return false; }
    var value = parseFloat(score.value.replace("，", ".").replace("。", "."));
    return !isNaN(value) && value < points;
  }
  function reasonOf(form) { return form.querySelector("[data-grid-reason]"); }
  function syncReason(form) {
    var reason = reasonOf(form);
    if (!reason) { return; }
    if (belowFull(form) || reason.value.trim() !== "" && !reason.hidden) { reason.hidden = false; }
    else if (!form.classList.contains("is-error")) { reason.hidden = true; }
  }
  function needsReason(form) {
    var reason = reasonOf(form);
    return reason && belowFull(form) && reason.value.trim() === "";
  }

  function setGrade(select, value) {
    if (select.disabled || select.value === value) { return; }
    select.value = value;
    // A change event from the select is what htmx saves on; htmx:confirm below holds it while a reason is missing.
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function askReason(form) {
    var reason = reasonOf(form);
    reason.hidden = false;
    var hint = form.querySelector("[data-reason-hint]");
    if (!hint) {
      hint = document.createElement("div");
      hint.className = "kaohe-cell-error";
      hint.setAttribute("role", "alert");
      hint.setAttribute("data-reason-hint", "");
      hint.textContent = "低于满分，须写明扣分理由，按回车保存";
      reason.insertAdjacentElement("afterend", hint);
    }
    reason.focus();
  }

  // --- opening a lean grid cell -----------------------------------------------------------------------
  // The grid renders one control per cell (kaohe/scoring/html_grid.py); the reason, the 问题类型 and the save
  // messages come with the full cell, fetched from the same URL the cell saves to (GET answers the fragment).
  // "save": the user chose a value below full marks; keep it, then ask for the reason or save with the old one.
  function openCell(form, save) {
    if (form.hasAttribute("data-opening")) { return; }
    var url = form.getAttribute("hx-post");
    if (!url) { return; }
    form.setAttribute("data-opening", "");
    var input = form.querySelector("[data-grid-input]");
    var pending = input ? input.value : null;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var box = document.createElement("template");
        box.innerHTML = html.trim();
        var full = box.content.firstElementChild;
        if (!full || !form.parentNode) { return; }
        form.replaceWith(full);
        htmx.process(full);
        var control = full.querySelector("[data-grid-input]");
        if (control && pending !== null) { control.value = pending; }
        syncReason(full);
        if (save && needsReason(full)) { askReason(full); return; }
        if (save && control) { control.dispatchEvent(new Event("change", { bubbles: true })); return; }
        var reason = reasonOf(full);
        if (reason) { reason.hidden = false; reason.focus(); } else if (control) { control.focus(); }
      })
      .catch(function () { form.removeAttribute("data-opening"); });
  }
  function isLean(form) { return !reasonOf(form) && form.hasAttribute("hx-post"); }

  // htmx asks before each request: a below-full value without a reason opens the reason field instead.
  document.body.addEventListener("htmx:confirm", function (e) {
    var form = e.detail.elt;
    if (!form || !form.classList || !form.classList.contains("kaohe-cell")) { return; }
    if (isLean(form)) {
      if (belowFull(form)) { e.preventDefault(); openCell(form, true); }
      return;
    }
    syncReason(form);
    if (needsReason(form)) {
      e.preventDefault();
      askReason(form);
    }
  });
  table.addEventListener("dblclick", function (e) {
    var form = e.target.closest ? formOf(e.target) : null;
    if (form && isLean(form)) { openCell(form, false); }
  });

  // --- focus stays on the cell after its save --------------------------------------------------------
  var refocus = null;
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    var active = document.activeElement;
    refocus = null;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      refocus = { id: target.id, name: active.getAttribute("name") };
    } else if (target && target.id && (!active || active === document.body)) {
      refocus = { id: target.id, name: "grade" }; // focus was lost with the request: give it back
    }
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    if (refocus) {
      var form = document.getElementById(refocus.id);
      var el = form && (form.querySelector("[name='" + refocus.name + "']:not([hidden])") || form.querySelector("[data-grid-input]"));
      if (el) { el.focus(); }
      refocus = null;
    }
    count();
  });

  // --- the live counter -------------------------------------------------------------------------------
  function count() {
    var counted = table.querySelectorAll("form.kaohe-cell[data-counted]");
    var done = table.querySelectorAll("form.kaohe-cell[data-counted][data-evaluated]");
    document.querySelectorAll("[data-grid-progress]").forEach(function (badge) {
      var d = badge.querySelector("[data-done]"), t = badge.querySelector("[data-total]");
      if (d) { d.textContent = String(done.length); }
      if (t) { t.textContent = String(counted.length); }
    });
  }

  // --- selecting several cells for one grade ---------------------------------------------------------
  var bulk = document.querySelector("form[data-bulk]");
  var anchor = null;
  function selectableTd(el) {
    var td = el && el.closest ? el.closest("td") : null;
    return td && td.querySelector("form.kaohe-cell[data-selectable]") ? td : null;
  }
  function selected() { return Array.prototype.slice.call(table.querySelectorAll("td.is-selected")); }
  function refreshBulk() {
    if (!bulk) { return; }
    var n = selected().length;
    bulk.hidden = n === 0;
    bulk.querySelector("[data-bulk-count]").textContent = "已选 " + n + " 格";
  }
  function toggle(td, on) {
    td.classList.toggle("is-selected", on === undefined ? !td.classList.contains("is-selected") : on);
  }
  function selectRange(a, b) {
    var pa = position(a), pb = position(b);
    if (!pa || !pb) { return; }
    var body = table.tBodies[0];
    for (var r = Math.min(pa.row, pb.row); r <= Math.max(pa.row, pb.row); r += 1) {
      for (var c = Math.min(pa.col, pb.col); c <= Math.max(pa.col, pb.col); c += 1) {
        var td = body.rows[r] && body.rows[r].children[c];
        if (selectableTd(td)) { toggle(td, true); }
      }
    }
  }
  function clearSelection() { selected().forEach(function (td) { toggle(td, false); }); anchor = null; refreshBulk(); }

  if (bulk) {
    // mousedown, not click: a Ctrl/Shift press on a select must not open it.
    table.addEventListener("mousedown", function (e) {
      if (!(e.ctrlKey || e.metaKey || e.shiftKey)) { return; }
      var td = selectableTd(e.target);
      if (!td) { return; }
      e.preventDefault();
      if (e.shiftKey && anchor) { selectRange(anchor, td); } else { toggle(td); anchor = td; }
      refreshBulk();
    });
    var grade = bulk.querySelector("[data-bulk-grade]");
    var reason = bulk.querySelector("[data-bulk-reason]");
    grade.addEventListener("change", function () {
      reason.hidden = grade.value === "" || grade.value === FULL;
      reason.required = !reason.hidden;
      if (!reason.hidden) { reason.focus(); }
    });
    bulk.querySelector("[data-bulk-clear]").addEventListener("click", clearSelection);
    bulk.addEventListener("submit", function (e) {
      var box = bulk.querySelector("[data-bulk-cells]");
      box.textContent = "";
      var cells = selected();
      if (!cells.length) { e.preventDefault(); return; }
      if (grade.value !== FULL && reason.value.trim() === "") {
        e.preventDefault();
        reason.hidden = false;
        reason.required = true;
        reason.focus();
        return;
      }
      cells.forEach(function (td) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "cells";
        input.value = td.querySelector("form.kaohe-cell").getAttribute("data-cell");
        box.appendChild(input);
      });
    });
  }

  // --- keys -------------------------------------------------------------------------------------------
  table.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!el.matches) { return; }
    var form = formOf(el);
    if (el.matches("[data-grid-reason]")) {
      if (e.key === "Enter") {
        // Save with the reason (never a full-page post of the cell) and stay on the cell.
        e.preventDefault();
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    if (!el.matches("[data-grid-input]")) { return; }
    if (e.key === "F2" && form && isLean(form)) { e.preventDefault(); openCell(form, false); return; }
    var pos = position(el);
    if (!pos) { return; }
    var plain = !e.ctrlKey && !e.metaKey && !e.altKey;
    if (el.tagName === "SELECT") {
      if (MOVES[e.key] && plain) {
        // A closed select changes its value on arrow keys in most browsers: never let it.
        e.preventDefault();
        move(pos, MOVES[e.key][0], MOVES[e.key][1]);
        return;
      }
      if (["Home", "End", "PageUp", "PageDown"].indexOf(e.key) >= 0) { e.preventDefault(); return; }
      var key = e.key.length === 1 ? e.key.toLowerCase() : "";
      if (plain && GRADE_KEYS[key]) {
        e.preventDefault();
        setGrade(el, GRADE_KEYS[key]);
        return;
      }
      if (plain && key === "x" && bulk) {
        e.preventDefault();
        var td = selectableTd(el);
        if (td) { toggle(td); anchor = td; refreshBulk(); }
        return;
      }
      if (plain && key && key !== " ") { e.preventDefault(); } // no type-ahead picking a grade by its label
      if (e.key === "Escape" && bulk) { clearSelection(); }
      return;
    }
    // a score input: up/down/Enter move; left/right only from the ends of the text
    if (!MOVES[e.key] || !plain) { return; }
    if (e.key === "ArrowLeft" && !(el.selectionStart === 0 && el.selectionEnd === 0)) { return; }
    if (e.key === "ArrowRight" && !(el.selectionStart === el.value.length && el.selectionEnd === el.value.length)) { return; }
    e.preventDefault();
    if (form) { syncReason(form); }
    move(pos, MOVES[e.key][0], MOVES[e.key][1]);
  });

  table.addEventListener("input", function (e) {
    var form = formOf(e.target);
    if (form && e.target.matches("[data-grid-input]")) { syncReason(form); }
  });
  table.addEventListener("change", function (e) {
    var form = formOf(e.target);
    if (form && e.target.matches("[data-grid-input]")) { syncReason(form); }
  }, true);

  count();
})();
