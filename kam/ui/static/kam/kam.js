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

  window.KAM = { charts: [], drawCharts: drawCharts };
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
  window.addEventListener("resize", function () {
    window.KAM.charts.forEach(function (chart) { chart.resize(); });
  });
  // Confirm buttons: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { event.preventDefault(); }
  });
})();
