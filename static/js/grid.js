// Keyboard navigation in the evaluation grid: arrow keys move between cells (Tab works as usual).
// Saving is htmx's job (hx-trigger="change" on each cell form); this file only moves the focus.
(function () {
  "use strict";
  var table = document.querySelector("[data-grid]");
  if (!table) { return; }
  function position(el) {
    var td = el.closest("td");
    if (!td) { return null; }
    var tr = td.parentElement;
    return { row: Array.prototype.indexOf.call(tr.parentElement.children, tr), col: Array.prototype.indexOf.call(tr.children, td) };
  }
  function focusAt(row, col) {
    var body = table.tBodies[0];
    if (row < 0 || row >= body.rows.length) { return; }
    var td = body.rows[row].children[col];
    if (!td) { return; }
    var target = td.querySelector("[data-grid-input]");
    if (target) { target.focus(); if (target.select) { target.select(); } }
  }
  table.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("[data-grid-input]")) { return; }
    var pos = position(el);
    if (!pos) { return; }
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0] };
    if (el.tagName === "INPUT") { moves.ArrowLeft = [0, -1]; moves.ArrowRight = [0, 1]; }
    var move = moves[e.key];
    if (!move) { return; }
    if (el.tagName === "SELECT" && (e.key === "ArrowUp" || e.key === "ArrowDown") && !e.altKey) { return; }
    e.preventDefault();
    focusAt(pos.row + move[0], pos.col + move[1]);
  });
})();
