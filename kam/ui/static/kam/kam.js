// KAM's small client-side glue. No inline scripts anywhere (Content-Security-Policy):
// pages put chart data in <script type="application/json"> blocks and mark the
// element to draw with data-chart="<id of the data block>".
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var option = JSON.parse(source.textContent);
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
      chart.setOption(option, true);
      if (el.dataset.clickUrl) {
        chart.off("click");
        chart.on("click", function (params) {
          var target = (params.data && params.data.url) || null;
          if (target) { window.location.href = target; }
        });
      }
      window.KAM.charts.push(chart);
    });
  }

  // Tables scroll inside their own box, never the page: each table gets a scrolling
  // wrapper unless it has one. Card tables (.kam-cards) label each cell with its
  // column's heading for the phone layout. A cell cut short (.kam-truncate) carries its
  // whole text as a title for a mouse, and a tap opens it for a thumb.
  function layoutTables(root) {
    var tables = Array.prototype.slice.call(root.querySelectorAll("table"));
    if (root.matches && root.matches("table")) { tables.push(root); }
    tables.forEach(function (table) {
      var parent = table.parentElement;
      if (parent && !parent.classList.contains("table-responsive") &&
          !parent.classList.contains("kam-scroll")) {
        var box = document.createElement("div");
        box.className = "kam-scroll";
        parent.insertBefore(box, table);
        box.appendChild(table);
      }
      if (table.classList.contains("kam-cards")) {
        var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
          return th.textContent.trim();
        });
        table.querySelectorAll("tbody tr").forEach(function (row) {
          Array.prototype.forEach.call(row.children, function (cell, index) {
            if (heads[index] && !cell.dataset.label) { cell.dataset.label = heads[index]; }
          });
        });
      }
    });
    root.querySelectorAll(".kam-truncate:not([title])").forEach(function (el) {
      el.title = el.textContent.trim();
    });
  }

  function layout(root) {
    layoutTables(root);
    drawCharts(root);
  }

  window.KAM = { charts: [], drawCharts: drawCharts };
  document.addEventListener("DOMContentLoaded", function () { layout(document); });
  document.addEventListener("htmx:afterSettle", function (event) { layout(event.target); });
  document.addEventListener("click", function (event) {
    var cut = event.target.closest(".kam-truncate");
    if (cut && !event.target.closest("a")) { cut.classList.toggle("kam-open"); }
  });
  window.addEventListener("resize", function () {
    window.KAM.charts.forEach(function (chart) { chart.resize(); });
  });
  // Confirm buttons: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { event.preventDefault(); }
  });
})();
