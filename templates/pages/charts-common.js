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

    /**
     * The y range for one scale's values (arrays of numbers or nulls): the data's range padded by a
     * tenth (at least 5 % of the scale), rounded out to a step (5 points for CSAT and NPS, 0.5 for
     * CES) and never beyond what the scale can take ({min, max} from the page data).
     */
    axisRange: function (scale, valueLists) {
      var lo = Infinity;
      var hi = -Infinity;
      valueLists.forEach(function (values) {
        values.forEach(function (v) {
          if (v === null || v === undefined || !isFinite(v)) return;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        });
      });
      if (lo > hi) return { min: scale.min, max: scale.max };
      var span = scale.max - scale.min;
      var step = scale.id === 'ces' ? 0.5 : 5;
      var pad = Math.max((hi - lo) * 0.1, span * 0.05);
      var min = Math.max(scale.min, Math.floor((lo - pad) / step) * step);
      var max = Math.min(scale.max, Math.ceil((hi + pad) / step) * step);
      return { min: min, max: max };
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
