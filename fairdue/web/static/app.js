// Charts for the compliance dashboard. Data comes from <script type="application/json" id="chart-data">
// (inert JSON, no inline script), so the page works under a strict Content-Security-Policy.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || typeof Chart === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    Chart.defaults.animation = false;  // screenshots and tests see the final chart
    data.charts.forEach(function (spec) {
      var canvas = document.getElementById(spec.canvas);
      if (!canvas) { return; }
      new Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: { responsive: true, maintainAspectRatio: false, indexAxis: spec.indexAxis || "x",
                   scales: spec.type === "doughnut" ? {} : { x: { stacked: !!spec.stacked, ticks: { precision: 0 } }, y: { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } } },
                   plugins: { legend: { display: spec.datasets.length > 1 || spec.type === "doughnut" } } }
      });
      canvas.setAttribute("data-drawn", "true");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
