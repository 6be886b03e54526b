// Growth chart on the child's page. Data comes from the page via json_script (no inline JS).
(function () {
  "use strict";
  function drawGrowth() {
    var canvas = document.getElementById("growth-chart");
    var source = document.getElementById("growth-data");
    if (!canvas || !source || typeof Chart === "undefined") {
      return;
    }
    var rows = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: rows.map(function (r) { return r.date; }),
        datasets: [
          { label: canvas.dataset.heightLabel, data: rows.map(function (r) { return r.height; }), yAxisID: "height", borderColor: "#0d6efd" },
          { label: canvas.dataset.weightLabel, data: rows.map(function (r) { return r.weight; }), yAxisID: "weight", borderColor: "#dc3545" }
        ]
      },
      options: {
        responsive: true,
        scales: {
          height: { type: "linear", position: "left" },
          weight: { type: "linear", position: "right", grid: { drawOnChartArea: false } }
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", drawGrowth);
})();
