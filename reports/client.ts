/**
 * The script the report runs in the browser, as source text (the project's tsconfig has no DOM
 * types, so it cannot be compiled here; the browser test runs it in real Chromium). It reads the
 * chart specs from the page's JSON block (model.ts: ChartSpec) and builds one uPlot per spec. It
 * sets text only through uPlot, which writes labels with textContent or draws them on canvas, so
 * no name reaches the DOM as markup. `window.mqlabReport` tells a test what was built.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('mqlab-data').textContent);
  var COLORS = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6'];
  var plots = [];

  function si(v) {
    if (v == null || !isFinite(v)) return '';
    var a = Math.abs(v);
    if (a >= 1e9) return +(v / 1e9).toPrecision(3) + 'G';
    if (a >= 1e6) return +(v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e3) return +(v / 1e3).toPrecision(3) + 'k';
    return +v.toPrecision(3) + '';
  }
  function pct(x) {
    if (x == null) return '';
    if (x <= 1) return '0%';
    var p = 100 * (1 - 1 / x);
    return +p.toPrecision(Math.max(2, Math.ceil(Math.log10(x)) + 1)) + '%';
  }
  function decades(u, axisIdx, min, max) {
    var out = [];
    for (var e = Math.floor(Math.log10(Math.max(min, 1e-9))); Math.pow(10, e) <= max * 1.0001; e++) {
      var v = Math.pow(10, e);
      if (v >= min * 0.9999) out.push(v);
    }
    return out;
  }
  function width(el) { return Math.max(240, el.clientWidth || 600); }

  function barsOpts(spec, el) {
    var bars = uPlot.paths.bars;
    var n = spec.series.length;
    var longest = spec.labels.reduce(function (m, l) { return Math.max(m, l.length); }, 0);
    return {
      width: width(el), height: 360,
      scales: { x: { time: false, range: function (u, lo, hi) { return [lo - 0.5, hi + 0.5]; } }, y: { distr: 3 } },
      axes: [
        // Rotated so each label ends at its bar; sized to the longest label (~7 px a character).
        { rotate: 60, size: Math.min(260, 20 + Math.ceil(longest * 7 * 0.87)), space: 1, gap: 4, incrs: [1],
          values: function (u, splits) { return splits.map(function (i) { return spec.labels[i] || ''; }); } },
        { label: spec.unit, size: 60, values: function (u, splits) { return splits.map(si); } }
      ],
      legend: { live: true },
      series: [{ label: 'id', value: function (u, i) { return i == null ? '' : spec.labels[i] || ''; } }].concat(
        spec.series.map(function (s, k) {
          return {
            label: s.label, stroke: COLORS[k], fill: COLORS[k] + 'cc', width: 0,
            paths: bars({ size: [0.8 / n, 40], align: n === 1 ? 0 : (k === 0 ? -1 : 1) }),
            points: { show: false },
            fillTo: function (u) { return u.scales.y.min; },
            value: function (u, v) { return v == null ? '—' : si(v) + ' ' + spec.unit; }
          };
        })
      )
    };
  }

  function latencyOpts(spec, el) {
    var ys = [];
    spec.series.forEach(function (s) { ys = ys.concat(s.y); });
    var lo = Math.min.apply(null, ys.filter(function (v) { return v > 0; }).concat([1]));
    var hi = Math.max.apply(null, ys.concat([1]));
    var logY = hi / Math.max(lo, 1) >= 20;
    return {
      width: width(el), height: 260,
      scales: { x: { time: false, distr: 3, range: function (u, a, b) { return [1, Math.max(b, 10)]; } }, y: logY ? { distr: 3 } : { range: function (u, a, b) { return [0, b * 1.05]; } } },
      axes: [
        { label: 'percentile', splits: decades, values: function (u, splits) { return splits.map(pct); } },
        { label: 'µs', size: 60, values: function (u, splits) { return splits.map(si); } }
      ],
      series: [{ label: 'percentile', value: function (u, v) { return pct(v); } }].concat(
        spec.series.map(function (s, k) {
          return { label: s.label, stroke: COLORS[k], width: 2, spanGaps: true, points: { show: s.x.length < 12 },
            value: function (u, v) { return v == null ? '—' : si(v) + ' µs'; } };
        })
      )
    };
  }

  function timeseriesOpts(spec, el) {
    return {
      width: width(el), height: 200,
      scales: { x: { time: false } },
      axes: [
        { label: spec.bucket > 1 ? 'sample (means of ' + spec.bucket + ')' : 'sample', values: function (u, splits) { return splits.map(si); } },
        { label: 'msgs/s', size: 60, values: function (u, splits) { return splits.map(si); } }
      ],
      series: [
        { label: 'sample' },
        { label: 'max', stroke: '#93c5fd', width: 1, value: function (u, v) { return si(v); } },
        { label: 'mean', stroke: COLORS[0], width: 2, value: function (u, v) { return si(v); } },
        { label: 'min', stroke: '#93c5fd', width: 1, value: function (u, v) { return si(v); } }
      ],
      bands: [{ series: [1, 3], fill: 'rgba(37,99,235,0.12)' }]
    };
  }

  function build(spec) {
    var el = document.getElementById(spec.id);
    if (!el) throw new Error('no element for chart ' + spec.id);
    switch (spec.kind) {
      case 'bars':
        return new uPlot(barsOpts(spec, el), [spec.labels.map(function (_, i) { return i; })].concat(spec.series.map(function (s) { return s.values; })), el);
      case 'latency':
        return new uPlot(latencyOpts(spec, el), uPlot.join(spec.series.map(function (s) { return [s.x, s.y]; })), el);
      case 'timeseries':
        return new uPlot(timeseriesOpts(spec, el), [spec.x, spec.max, spec.mean, spec.min], el);
      default:
        throw new Error('unknown chart kind ' + spec.kind);
    }
  }

  data.charts.forEach(function (spec) { plots.push({ el: document.getElementById(spec.id), plot: build(spec) }); });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: width(p.el), height: p.plot.height }); });
    });
  });
  window.mqlabReport = { charts: data.charts.length, plots: plots.length };
})();
`;
