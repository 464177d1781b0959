/*
 * The dashboard's issue-15 chart (served at /assets/dashboard-extra.js after dashboard.js): the
 * response-rate trend, from the JSON block #dashboard-data (data.responseRate). Plain browser JS.
 * Partial periods are drawn as hollow points; periods without surveys are gaps.
 */
(function () {
  'use strict';
  var PALETTE = ['#0b5cad', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#6a3d9a', '#8c6d31', '#b2182b', '#2b8a99'];
  var C = window.FeedbackCharts;

  function start() {
    var Chart = window.Chart;
    var data = C.readData('dashboard-data');
    var canvas = document.querySelector('canvas[data-chart="response-rate"]');
    if (!Chart || !data || !data.responseRate || !canvas) return;
    var rate = data.responseRate;
    var i = 0;
    new Chart(canvas, {
      type: 'line',
      data: {
        labels: rate.labels,
        datasets: rate.series.map(function (s) {
          var colour = s.total ? C.cssVar('--text', '#1f2328') : PALETTE[i++ % PALETTE.length];
          return {
            label: s.label,
            data: s.values,
            counts: s.n,
            borderColor: colour,
            backgroundColor: rate.partial.map(function (p) {
              return p ? '#ffffff' : colour;
            }),
            borderDash: s.total ? [6, 4] : [],
            borderWidth: 2,
            pointRadius: 3,
            spanGaps: false,
          };
        }),
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: { y: { min: 0, max: 100, title: { display: true, text: 'Response rate (%)' } }, x: { grid: { display: false } } },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8, boxHeight: 7 } },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? rate.titles[items[0].dataIndex] : '';
              },
              label: function (item) {
                return item.dataset.label + ': ' + (item.raw === null ? '—' : Math.round(item.raw) + '%') + ' (' + item.dataset.counts[item.dataIndex] + ' sent)';
              },
            },
          },
        },
      },
      plugins: [C.markRendered],
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
