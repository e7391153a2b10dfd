/* Lindung dashboards: draws every chart from the dashboard's JSON (the same figures as the table beneath it). */
(function () {
  "use strict";
  // Okabe–Ito: distinguishable with the common colour-vision deficiencies.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"];
  var DASHES = [[], [6, 4], [2, 3], [8, 3, 2, 3]];

  function format(unit, value) {
    var text = Number(value).toLocaleString("id-ID");
    if (unit === "rupiah") return "Rp " + text;
    if (unit === "percent") return text + "%";
    return text;
  }

  function draw(spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas || typeof Chart === "undefined") return;
    var line = spec.type === "line";
    var chart = new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var colour = COLOURS[i % COLOURS.length];
          return {
            label: s.label,
            data: s.data,
            backgroundColor: colour,
            borderColor: colour,
            borderDash: line ? DASHES[i % DASHES.length] : undefined,
            pointStyle: ["circle", "rect", "triangle", "rectRot"][i % 4],
            fill: false,
            tension: 0
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: "id-ID",
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + format(spec.unit, ctx.parsed.y);
              }
            }
          }
        },
        scales: {
          y: {
            beginAtZero: true,
            ticks: {
              precision: spec.unit === "percent" ? undefined : 0,
              callback: function (value) { return format(spec.unit, value); }
            }
          }
        }
      }
    });
    canvas.dataset.drawn = "1";
    return chart;
  }

  function start() {
    var root = document.getElementById("dashboard");
    if (!root) return;
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        data.charts.forEach(draw);
        root.dataset.ready = "1";
      })
      .catch(function (error) {
        root.dataset.error = String(error);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
