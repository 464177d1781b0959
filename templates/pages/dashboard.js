/*
 * Charts of the admin dashboard, served at /assets/dashboard.js (no build step; plain browser JS).
 * Reads the JSON block #dashboard-data written by src/render/analytics-pages.ts and draws every
 * <canvas data-chart> with Chart.js (window.Chart, /assets/chart.umd.min.js). Once a chart has
 * drawn, its canvas gets data-rendered="true". Text never reaches innerHTML: labels are drawn on
 * the canvas, and the page's tables already carry the same figures as text.
 */
(function () {
  'use strict';

  var PALETTE = ['#0b5cad', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#6a3d9a', '#8c6d31', '#b2182b', '#2b8a99'];
  var DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

  var C = window.FeedbackCharts;
  var readData = C.readData;
  var cssVar = C.cssVar;
  var markRendered = C.markRendered;

  function formatValue(scale, v) {
    return C.formatValue(scale.id, v);
  }

  function setDefaults(Chart) {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = cssVar('--muted', '#57606a');
    Chart.defaults.borderColor = cssVar('--grid', '#e5e7eb');
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.responsive = true;
  }

  function trendChart(Chart, canvas, trend) {
    var select = document.getElementById('trend-scale');
    var scaleById = {};
    trend.scales.forEach(function (s) {
      scaleById[s.id] = s;
    });
    var current = scaleById[select && scaleById[select.value] ? select.value : trend.defaultScale] || trend.scales[0];

    function datasets(scale) {
      var teamIndex = 0;
      return trend.series.map(function (s) {
        var colour = s.total ? cssVar('--text', '#1f2328') : PALETTE[teamIndex % PALETTE.length];
        var dash = s.total ? [6, 4] : DASHES[Math.floor(teamIndex / PALETTE.length) % DASHES.length];
        if (!s.total) teamIndex += 1;
        return {
          label: s.label,
          data: s.values[scale.id] || [],
          counts: s.n[scale.id] || [],
          borderColor: colour,
          backgroundColor: colour,
          borderDash: dash,
          borderWidth: s.total ? 2 : 2.5,
          pointRadius: 3,
          pointHoverRadius: 5,
          // Partial periods (a range edge cuts them, or they are still running) are hollow points.
          pointBackgroundColor: (trend.partial || []).map(function (p) {
            return p ? '#ffffff' : colour;
          }),
          // Monotone curves never overshoot the data (no bump above 100%).
          cubicInterpolationMode: 'monotone',
          // Points below the minimum group size are null: a gap in the line, never bridged.
          spanGaps: false,
        };
      });
    }

    function yAxis(scale) {
      var range = C.axisRange(scale, trend.series.map(function (s) {
        return s.values[scale.id] || [];
      }));
      return {
        // Fixed bounds from the data, padded and clamped to the scale (CSAT 0–100 %, NPS −100…+100,
        // CES 1–7): Chart.js's own padding ('grace') and nice-number rounding ran a 0 % week to −20 %.
        min: range.min,
        max: range.max,
        title: { display: true, text: scale.name + (scale.unit === '%' ? ' (% satisfied)' : scale.id === 'ces' ? ' (mean, 1–7)' : ' (−100 to +100)') },
        ticks: {
          callback: function (v) {
            return formatValue(scale, v);
          },
        },
      };
    }

    var chart = new Chart(canvas, {
      type: 'line',
      data: { labels: trend.labels, datasets: datasets(current) },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { title: { display: true, text: trend.axis }, grid: { display: false } },
          y: yAxis(current),
        },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8, boxHeight: 7, padding: 16 } },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? trend.titles[items[0].dataIndex] : '';
              },
              label: function (item) {
                var n = item.dataset.counts[item.dataIndex] || 0;
                return item.dataset.label + ': ' + formatValue(current, item.raw) + ' (n=' + n + ')';
              },
            },
          },
        },
      },
      plugins: [markRendered],
    });

    if (select) {
      select.addEventListener('change', function () {
        var next = scaleById[select.value];
        if (!next) return;
        current = next;
        chart.data.datasets = datasets(current);
        chart.options.scales.y = yAxis(current);
        chart.update();
      });
    }
  }

  function funnelChart(Chart, canvas, funnel) {
    var steps = [{ label: 'Sent', value: funnel.sent }];
    if (funnel.delivered !== null) steps.push({ label: 'Delivered', value: funnel.delivered });
    else steps.push({ label: 'Delivered (not tracked)', value: null });
    steps.push({ label: 'Answered', value: funnel.answered });
    var colours = ['#9ec5ec', '#4f8fd1', cssVar('--accent', '#0b5cad')];
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: steps.map(function (s) {
          return s.label;
        }),
        datasets: [
          {
            label: 'Surveys',
            data: steps.map(function (s) {
              return s.value;
            }),
            backgroundColor: colours,
            borderRadius: 4,
            barPercentage: 0.8,
            categoryPercentage: 0.9,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { grid: { display: false } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                if (item.raw === null) return 'not tracked';
                var share = funnel.sent ? Math.round((item.raw / funnel.sent) * 100) : 0;
                return item.raw + ' (' + share + '% of sent)';
              },
            },
          },
        },
      },
      plugins: [markRendered],
    });
  }

  function start() {
    var Chart = window.Chart;
    var data = readData('dashboard-data');
    if (!Chart || !data) return;
    setDefaults(Chart);
    var trend = document.querySelector('canvas[data-chart="trend"]');
    if (trend && data.trend) trendChart(Chart, trend, data.trend);
    var funnel = document.querySelector('canvas[data-chart="funnel"]');
    if (funnel && data.funnel) funnelChart(Chart, funnel, data.funnel);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
