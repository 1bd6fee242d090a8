// Draws the report's chart from the JSON the server put in the page; the table below works without it.
(function () {
  var data = document.getElementById("report-chart-data");
  var canvas = document.getElementById("report-chart");
  if (!data || !canvas || !window.Chart) return;
  var spec = JSON.parse(data.textContent);
  var hasSecondAxis = spec.datasets.some(function (d) { return d.yAxisID === "y1"; });
  var scales = {};
  if (spec.type === "bar" || spec.type === "line") {
    scales = { y: { beginAtZero: true } };
    if (hasSecondAxis) scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } };
  }
  new window.Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets: spec.datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales },
  });
})();
