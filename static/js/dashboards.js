// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">.
// The same figures are always in a table under the chart, for screen readers and printing.
(function () {
  "use strict";
  var COLOURS = ["#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#20c997"];

  function build(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (series, i) {
      return {
        type: spec.type,
        label: series.label,
        data: series.data,
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        spanGaps: true
      };
    });
    if (spec.target !== undefined) {
      datasets.push({
        type: "line",
        label: spec.targetLabel + " (" + spec.target + ")",
        data: spec.labels.map(function () { return spec.target; }),
        borderColor: "#dc3545",
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false
      });
    }
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(build);
  });
})();
