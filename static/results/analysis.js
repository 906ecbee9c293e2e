// 考核分析: draws the charts described in the #analysis-charts JSON (built by kaohe/results/analysis.py `charts`).
// The tables under each chart hold the exact figures; numbers arrive as strings and are only drawn here.
// Tooltips render as rich text inside the canvas: HTML tooltips would carry inline styles, which the CSP forbids.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=snapshot-form]");
  if (form) {
    var select = form.querySelector("[data-autosubmit]");
    if (select) { select.addEventListener("change", function () { form.submit(); }); }
  }
  var source = document.getElementById("analysis-charts");
  if (!source || typeof window.echarts === "undefined") { return; }
  var specs = JSON.parse(source.textContent);
  var PALETTE = ["#206bc4", "#2fb344", "#f59f00", "#ae3ec9", "#d63939", "#17a2b8", "#667382"];
  var drawn = [];

  function num(value) { return value === null || value === undefined ? null : Number(value); }
  function fixed(value, unit) { return value === null || value === undefined || isNaN(value) ? "—" : value.toFixed(2) + unit; }
  function title(text) { return { text: text, left: 0, top: 0, textStyle: { fontSize: 14, fontWeight: 600 } }; }

  function bars(spec) {
    var k = spec.series.length;
    var unit = spec.unit ? " " + spec.unit : "";
    var whole = spec.unit === "";
    var counts = spec.id === "chart-reasons";
    return {
      height: Math.max(180, spec.labels.length * Math.max(22, k * 12 + 8) + 80),
      option: {
        color: PALETTE,
        title: title(spec.title),
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText",
          valueFormatter: function (v) { return counts ? String(v) : fixed(v, unit); }
        },
        legend: k > 1 ? { top: 0, right: 0 } : { show: false },
        grid: { left: 8, right: 56, top: k > 1 ? 56 : 36, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: spec.max ? Number(spec.max) : null, minInterval: counts ? 1 : 0,
                 axisLabel: { formatter: whole ? "{value}" : "{value}%" } },
        yAxis: { type: "category", data: spec.labels, inverse: true, axisLabel: { width: 240, overflow: "truncate" } },
        series: spec.series.map(function (s) {
          return {
            name: s.name, type: "bar", data: s.values.map(num), barMaxWidth: 18,
            label: { show: k === 1, position: "right", formatter: function (p) { return counts ? String(p.value) : fixed(p.value, ""); } }
          };
        })
      }
    };
  }

  function columns(spec) {
    return {
      height: 320,
      option: {
        color: PALETTE,
        title: title(spec.title),
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
        legend: { top: 0, right: 0 },
        grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: spec.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.values.map(num), label: { show: true, position: "top" } };
        })
      }
    };
  }

  function heatmap(spec, el) {
    var values = spec.values.map(function (v) { return [v[0], v[1], Number(v[2])]; });
    var lowest = values.reduce(function (m, v) { return Math.min(m, v[2]); }, 60);
    var longest = spec.y.reduce(function (m, name) { return Math.max(m, name.length); }, 2);
    var left = Math.min(240, longest * 13 + 20);
    var column = Math.max(40, (el.clientWidth - left - 16) / Math.max(1, spec.x.length) - 6);
    return {
      height: Math.max(220, spec.y.length * 26 + 190),
      option: {
        title: title(spec.title),
        tooltip: {
          renderMode: "richText",
          formatter: function (p) { return spec.y[p.value[1]] + "\n" + spec.x[p.value[0]] + "：" + fixed(p.value[2], " %"); }
        },
        grid: { left: left, right: 8, top: 96, bottom: 56, containLabel: false },
        xAxis: { type: "category", data: spec.x, position: "top", splitArea: { show: true },
                 axisLabel: { interval: 0, width: column, overflow: "break", lineHeight: 14, fontSize: 11 } },
        yAxis: { type: "category", data: spec.y, inverse: true, splitArea: { show: true },
                 axisLabel: { width: left - 12, overflow: "truncate" } },
        visualMap: { min: Math.floor(lowest), max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                     precision: 0, inRange: { color: ["#d63939", "#f59f00", "#fcd34d", "#2fb344"] } },
        series: [{ type: "heatmap", data: values, label: { show: true, formatter: function (p) { return p.value[2].toFixed(1); } } }]
      }
    };
  }

  var KINDS = { bars: bars, columns: columns, heatmap: heatmap };
  specs.forEach(function (spec) {
    var el = document.querySelector("[data-chart='" + spec.id + "']");
    var build = KINDS[spec.kind];
    if (!el || !build) { return; }
    var empty = spec.kind === "heatmap" ? spec.values.length === 0 : spec.labels.length === 0;
    if (empty) {
      el.textContent = spec.title + "：没有可绘制的数据";
      el.classList.add("text-secondary", "small");
      return;
    }
    var built = build(spec, el);
    el.style.height = built.height + "px";  // CSSOM, allowed by the CSP (style attributes in markup are not)
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(built.option);
    el.setAttribute("data-drawn", "true");
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
