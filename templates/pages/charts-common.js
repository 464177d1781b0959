/*
 * Helpers shared by dashboard.js and scoreboard.js, served at /assets/charts-common.js and loaded
 * before them (plain browser JS, no build step).
 */
(function () {
  'use strict';

  window.FeedbackCharts = {
    /** The page's chart data: a <script type="application/json"> block written by src/render/analytics-pages.ts. */
    readData: function (id) {
      var el = document.getElementById(id);
      if (!el) return null;
      try {
        return JSON.parse(el.textContent || 'null');
      } catch (err) {
        console.warn('charts: data block #' + id + ' is not valid JSON', err);
        return null;
      }
    },

    cssVar: function (name, fallback) {
      var v = getComputedStyle(document.documentElement).getPropertyValue(name);
      return v && v.trim() ? v.trim() : fallback;
    },

    /** Chart.js plugin: marks a canvas once it has drawn (tests and screenshots wait for this). */
    markRendered: {
      id: 'markRendered',
      afterRender: function (chart) {
        chart.canvas.setAttribute('data-rendered', 'true');
      },
    },

    /** CSAT as a percentage, NPS signed, CES with one decimal. */
    formatValue: function (scaleId, v) {
      if (v === null || v === undefined) return '—';
      if (scaleId === 'csat') return Math.round(v) + '%';
      if (scaleId === 'nps') return (v > 0 ? '+' : v < 0 ? '−' : '') + Math.abs(Math.round(v));
      return Number(v).toFixed(1);
    },
  };
})();
