// Draws the dashboard's charts with ECharts from the JSON beside each one. The tables next to
// the charts hold the same figures, so nothing is lost without JavaScript.
(function () {
  "use strict";
  var COLOURS = ["#c62828", "#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#00838f"];

  function option(spec, width) {
    var category = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    if (spec.horizontal) {
      // A long unit name wraps within two fifths of the chart, so that a phone keeps room for the bars.
      Object.assign(category.axisLabel, { width: Math.round(width * 0.4), overflow: "break" });
    }
    var value = { type: "value", minInterval: 1 };
    if (spec.percent) {
      value.max = 100;
      value.axisLabel = { formatter: "{value}%" };
    }
    var series = spec.series.map(function (s) {
      return Object.assign({ connectNulls: true, barMaxWidth: 36,
        label: { show: s.type === "bar" && !s.stack, position: spec.horizontal ? "right" : "top" } }, s);
    });
    return {
      color: COLOURS,
      animation: false,
      // Drawn in the SVG (richText), not as HTML: ECharts' HTML tooltip writes style attributes,
      // which the Content-Security-Policy refuses.
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { show: spec.series.length > 1, top: 0 },
      grid: { left: 8, right: 24, top: spec.series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: series
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var data = document.getElementById(element.dataset.chart);
    if (!data || typeof echarts === "undefined") return;
    var spec = JSON.parse(data.textContent);
    if (!spec.categories.length) { element.remove(); return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option(spec, element.clientWidth));
    window.addEventListener("resize", function () {
      chart.setOption(option(spec, element.clientWidth));
      chart.resize();
    });
  });
})();
