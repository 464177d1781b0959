/*
 * Sparklines of the public scoreboard, served at /assets/scoreboard.js (plain browser JS).
 * Reads #scoreboard-data (written by src/render/analytics-pages.ts) and draws each
 * <canvas data-chart="team-trend" data-index="i"> with Chart.js; sets data-rendered="true" once
 * drawn. Teams on the same scale share one y range, so their lines compare at a glance.
 */
(function () {
  'use strict';

  var C = window.FeedbackCharts;
  var readData = C.readData;
  var cssVar = C.cssVar;
  var markRendered = C.markRendered;
  var formatValue = C.formatValue;

  /** Shared y range per scale, padded on both sides so a line at 100% is not cut by the edge. */
  function ranges(teams) {
    var spans = { csat: 100, nps: 200, ces: 6 };
    var out = {};
    teams.forEach(function (t) {
      t.values.forEach(function (v) {
        if (v === null) return;
        var r = out[t.scale] || (out[t.scale] = { min: v, max: v });
        r.min = Math.min(r.min, v);
        r.max = Math.max(r.max, v);
      });
    });
    Object.keys(out).forEach(function (scale) {
      var r = out[scale];
      var pad = Math.max((r.max - r.min) * 0.12, (spans[scale] || 1) * 0.03);
      r.min -= pad;
      r.max += pad;
    });
    return out;
  }

  function start() {
    var Chart = window.Chart;
    var data = readData('scoreboard-data');
    if (!Chart || !data) return;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    var accent = cssVar('--accent', '#0b5cad');
    var fill = cssVar('--accent-soft', 'rgba(11, 92, 173, 0.12)');
    var yRange = ranges(data.teams);

    document.querySelectorAll('canvas[data-chart="team-trend"]').forEach(function (canvas) {
      var team = data.teams[Number(canvas.getAttribute('data-index'))];
      if (!team) return;
      var last = -1;
      team.values.forEach(function (v, i) {
        if (v !== null) last = i;
      });
      new Chart(canvas, {
        type: 'line',
        data: {
          labels: data.labels,
          datasets: [
            {
              label: team.name,
              data: team.values,
              borderColor: accent,
              backgroundColor: fill,
              fill: 'start',
              borderWidth: 2,
              cubicInterpolationMode: 'monotone',
              spanGaps: true,
              pointRadius: team.values.map(function (_v, i) {
                return i === last ? 3 : 0;
              }),
              pointHoverRadius: 4,
              pointBackgroundColor: accent,
            },
          ],
        },
        options: {
          responsive: true,
          layout: { padding: { top: 4, bottom: 4, left: 2, right: 4 } },
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { display: false },
            y: { display: false, min: yRange[team.scale] ? yRange[team.scale].min : undefined, max: yRange[team.scale] ? yRange[team.scale].max : undefined },
          },
          plugins: {
            legend: { display: false },
            tooltip: {
              displayColors: false,
              callbacks: {
                title: function (items) {
                  return items.length ? data.titles[items[0].dataIndex] : '';
                },
                label: function (item) {
                  return team.name + ' ' + formatValue(team.scale, item.raw) + ' (n=' + (team.n[item.dataIndex] || 0) + ')';
                },
              },
            },
          },
        },
        plugins: [markRendered],
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
