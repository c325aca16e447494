/**
 * The report page's style sheet and script, inlined into the HTML by ./html.ts. The script reads
 * the JSON block `#report-data` (see `ReportData` in ./html.ts), draws every chart with the
 * global `echarts` and builds the sortable table. Plain ES2017 for any current browser; it
 * makes no request and writes nothing but the page.
 */

/** The page's CSS. */
export const REPORT_STYLE = `
:root { --fg: #1d2433; --muted: #5d6779; --line: #e3e7ee; --bg: #f5f7fa; --card: #fff;
  --blue: #3b6fd8; --orange: #e8743b; --red: #d64545; --grey: #8e97a6; --green: #1b9e5a; --violet: #7a5bd6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1400px; margin: 0 auto; padding: 20px 24px 40px; }
header h1 { font-size: 22px; margin: 0 0 4px; font-weight: 650; }
header .sub { color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; align-items: center; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #eef1f6; border: 1px solid var(--line);
  font: 12px/1.6 ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
.chip.gate { background: #fff6e8; border-color: #f3d9b1; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-top: 16px;
  box-shadow: 0 1px 2px rgba(20, 30, 50, 0.04); }
.card h2 { font-size: 15px; margin: 0 0 2px; font-weight: 620; }
.card .note { color: var(--muted); font-size: 12.5px; margin: 0 0 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 0 16px; }
.chart { width: 100%; height: 330px; }
.chart.tall { height: 420px; }
.slices { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px 12px; }
.slice { height: 240px; }
.best-line { font-size: 16px; }
.best-line b { font-size: 20px; color: var(--green); }
.empty { text-align: center; padding: 48px 16px; }
.empty h2 { font-size: 22px; margin-bottom: 6px; }
.table-wrap { max-height: 640px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { position: sticky; top: 0; background: #f0f3f8; cursor: pointer; user-select: none; z-index: 1; }
th.text, td.text { text-align: left; }
th[aria-sort="ascending"]::after { content: " ▲"; font-size: 10px; }
th[aria-sort="descending"]::after { content: " ▼"; font-size: 10px; }
tr.best td { background: #eaf7ef; }
tr:hover td { background: #f3f6fb; }
td.reason { max-width: 280px; overflow: hidden; text-overflow: ellipsis; color: var(--muted); text-align: left; }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 0 6px; border-radius: 9px; font-size: 11.5px; color: #fff; }
.badge.finished { background: var(--blue); } .badge.failed { background: var(--red); } .badge.stopped { background: var(--grey); }
.badge.running { background: var(--violet); } .badge.pending { background: #b3b9c4; }
.pass { color: var(--green); } .nopass { color: var(--red); }
footer { color: var(--muted); font-size: 12px; margin-top: 18px; }
`;

/** The page's script (runs after the data block and echarts). */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var meta = data.meta, runs = data.runs;
  var P = meta.params.length, Q = meta.metrics.length, F = 8;
  var dir = meta.goal === 'minimize' ? -1 : 1;
  var C = { finished: '#3b6fd8', front: '#e8743b', failed: '#d64545', stopped: '#8e97a6', gated: '#b4bbc7', best: '#1b9e5a' };
  var app = document.getElementById('app');
  var charts = [];

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }
  function fmt(x) {
    if (x === null || x === undefined) return '\u2014';
    if (typeof x !== 'number') return String(x);
    if (!isFinite(x)) return isNaN(x) ? 'NaN' : (x > 0 ? '\u221e' : '-\u221e');
    if (x === 0) return '0';
    var a = Math.abs(x);
    if (a >= 1e6 || a < 1e-3) return x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
    if (Math.round(x) === x) return String(x);
    return String(Number(x.toPrecision(4)));
  }
  function node(html) { var d = document.createElement('div'); d.innerHTML = html; return d.firstElementChild; }
  function short(key) {
    var last = key.slice(key.lastIndexOf('.') + 1), n = 0;
    for (var j = 0; j < P; j++) { var k = meta.params[j].key; if (k.slice(k.lastIndexOf('.') + 1) === last) n++; }
    return n === 1 ? last : key;
  }
  function better(a, b) { return dir * (a - b) > 0; }
  function isScored(r) { return r[2] === 'finished' && r[3] !== null; }
  function runTip(i) {
    var r = runs[i], lines = ['<b>' + esc(r[1]) + '</b> (#' + r[0] + ') \u00b7 ' + esc(r[2]) + (r[6] ? ' \u00b7 on the front' : '') + (meta.gates.length && !r[5] && r[2] === 'finished' ? ' \u00b7 fails a gate' : '')];
    lines.push(esc(meta.metric) + ': <b>' + fmt(r[3]) + '</b> \u00b7 cost: ' + fmt(r[4]));
    for (var j = 0; j < P; j++) lines.push(esc(short(meta.params[j].key)) + ' = ' + esc(fmt(r[F + j])));
    for (var q = 0; q < Q; q++) if (r[F + P + q] !== null) lines.push('<span style="color:#888">' + esc(meta.metrics[q]) + ' = ' + fmt(r[F + P + q]) + '</span>');
    if (r[7]) lines.push('<i>' + esc(r[7]) + '</i>');
    return lines.join('<br>');
  }
  function tooltip() {
    return { trigger: 'item', confine: true, formatter: function (p) { return p.data && p.data.length > 2 ? runTip(p.data[2]) : esc(p.seriesName); } };
  }
  function chart(id, option) {
    var div = document.getElementById(id);
    var c = echarts.init(div, null, { renderer: 'canvas' });
    option.animation = false;
    // Draw every point at once (not in progressive chunks over later frames), so the page is complete when
    // ready; big scatter series are drawn as one path (ECharts' large mode) to keep that fast.
    (option.series || []).forEach(function (s) {
      s.progressive = 0;
      s.large = s.type === 'scatter' && s.data.length > 1500;
      s.largeThreshold = 1500;
    });
    option.textStyle = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif' };
    c.setOption(option);
    charts.push(c);
    return c;
  }
  function card(title, note, body, wide) {
    return '<section class="card' + (wide ? ' wide' : '') + '"><h2>' + title + '</h2>' + (note ? '<p class="note">' + note + '</p>' : '') + body + '</section>';
  }

  // ---- header
  var counts = meta.counts, parts = [];
  ['finished', 'failed', 'stopped', 'running', 'pending'].forEach(function (s) { if (counts[s]) parts.push(counts[s] + ' ' + s); });
  var made = meta.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  var head = '<header><h1>' + esc(meta.title) + '</h1><div class="sub" id="made">Made ' + esc(made) + ' \u00b7 <span id="run-count">' + counts.total + ' run' + (counts.total === 1 ? '' : 's') + '</span>' +
    (parts.length ? ': ' + parts.join(', ') : '') + ' \u00b7 ' + esc(meta.goal) + ' <b>' + esc(meta.metric) + '</b></div>';
  if (meta.gates.length) {
    head += '<div class="chips" id="gates"><span>Gates:</span>' + meta.gates.map(function (g) { return '<span class="chip gate">' + esc(g) + '</span>'; }).join('') +
      '<span class="note">' + meta.ranked + ' of ' + counts.finished + ' finished runs pass</span></div>';
  }
  head += '</header>';
  app.insertAdjacentHTML('beforeend', head);

  var scored = [];
  for (var i = 0; i < runs.length; i++) if (isScored(runs[i])) scored.push(i);

  if (scored.length === 0) {
    app.insertAdjacentHTML('beforeend', '<section class="card empty" id="empty"><h2>No finished runs yet</h2><p class="note">' +
      (counts.total === 0 ? 'The sweep has no runs. Make the report again once runs have finished.' :
        'None of the ' + counts.total + ' runs has finished with a score. Make the report again later; the runs so far are listed below.') + '</p></section>');
  } else {
    drawCharts();
  }
  if (runs.length > 0) drawTable();
  app.insertAdjacentHTML('beforeend', '<footer>protein-sweep report \u00b7 ' + counts.total + ' runs \u00b7 made ' + esc(made) +
    ' \u00b7 self-contained: opens offline, makes no network request' + (scored.length ? ' \u00b7 charts: Apache ECharts' : '') + '</footer>');
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-ready', '1');

  function drawCharts() {
    var bestRow = null;
    for (var k = 0; k < runs.length; k++) if (runs[k][0] === meta.best) bestRow = runs[k];
    var html = '';
    if (bestRow) {
      var chips = '';
      for (var j = 0; j < P; j++) chips += '<span class="chip">' + esc(meta.params[j].key) + '=' + esc(fmt(bestRow[F + j])) + '</span>';
      html += '<section class="card" id="best"><div class="best-line">Best run <b>' + esc(bestRow[1]) + '</b> (#' + bestRow[0] + '): ' + esc(meta.metric) + ' <b>' + fmt(bestRow[3]) + '</b> \u00b7 cost ' + fmt(bestRow[4]) + '</div><div class="chips">' + chips + '</div></section>';
    } else {
      html += '<section class="card" id="best"><div class="best-line">No finished run passes the gates yet.</div></section>';
    }
    var sense = meta.goal === 'minimize' ? 'lower is better' : 'higher is better';
    html += '<div class="grid">' +
      card('Best ' + esc(meta.metric) + ' so far, by trial', sense + '; failed runs are the red marks on the bottom edge', '<div class="chart" id="chart-history"></div>') +
      card('Best ' + esc(meta.metric) + ' so far, by cumulative cost', 'cost of every run so far, failed and stopped ones included', '<div class="chart" id="chart-cost"></div>') +
      card(esc(meta.metric) + ' against cost', 'the Pareto front: no other run is both cheaper and better', '<div class="chart" id="chart-scatter"></div>') +
      card('Parameter importance', importanceNote(), '<div class="chart" id="chart-importance"></div>') +
      '</div>';
    html += card('Parallel coordinates', 'one line per finished run, coloured by ' + esc(meta.metric) + '; drag along an axis to select a range', '<div class="chart tall" id="chart-parallel"></div>', true);
    var slices = '';
    for (var s = 0; s < P; s++) slices += '<div class="slice" id="chart-slice-' + s + '"></div>';
    html += card('Slices', esc(meta.metric) + ' against each parameter (log axes for log-scaled parameters)', '<div class="slices">' + slices + '</div>', true);
    app.insertAdjacentHTML('beforeend', html);

    var gated = meta.gates.length > 0;
    var lo = Infinity, hi = -Infinity;
    runs.forEach(function (r) { if (r[3] !== null && (r[2] === 'finished' || r[2] === 'stopped')) { lo = Math.min(lo, r[3]); hi = Math.max(hi, r[3]); } });
    // A round lower bound under every score: the failed runs' marks sit on it (the bottom edge).
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4 || 1)));
    var floor = Math.floor((lo - (hi - lo) * 0.04) / step) * step;
    var pass = [], fail = [], stopped = [], failed = [], best = [], bestCost = [], scatterPass = [], scatterFail = [], scatterStop = [], front = [], scatterCum = [];
    var cur = null, cum = 0;
    runs.forEach(function (r, idx) {
      if (r[4] !== null && r[2] !== 'running' && r[2] !== 'pending') cum += r[4];
      if (isScored(r)) {
        (r[5] ? pass : fail).push([r[0], r[3], idx]);
        if (r[4] !== null) (r[5] ? scatterPass : scatterFail).push([r[4], r[3], idx]);
        if (r[5]) {
          if (cur === null || better(r[3], cur)) cur = r[3];
          best.push([r[0], cur, idx]);
          bestCost.push([cum, cur, idx]);
          scatterCum.push([cum, r[3], idx]);
        }
        if (r[6]) front.push([r[4], r[3], idx]);
      } else if (r[2] === 'stopped' && r[3] !== null) {
        stopped.push([r[0], r[3], idx]);
        if (r[4] !== null) scatterStop.push([r[4], r[3], idx]);
      } else if (r[2] === 'failed') {
        failed.push([r[0], floor, idx]);
      }
    });
    front.sort(function (a, b) { return a[0] - b[0]; });
    var yAxis = { type: 'value', name: meta.metric, scale: true, min: failed.length ? floor : undefined, nameTextStyle: { align: 'left' }, splitLine: { lineStyle: { color: '#eef0f4' } } };
    var grid = { left: 58, right: 24, top: 44, bottom: 42 };
    function scatter(name, points, color, extra) {
      var s = { name: name, type: 'scatter', data: points, symbolSize: 6, itemStyle: { color: color, opacity: 0.75 } };
      for (var key in extra) s[key] = extra[key];
      return s;
    }
    function hollow(name, points) { return scatter(name, points, '#fff', { itemStyle: { color: '#fff', borderColor: C.gated, borderWidth: 1.2 } }); }
    var history = [
      scatter('finished', pass, C.finished),
      { name: 'best so far', type: 'line', step: 'end', data: best, showSymbol: false, lineStyle: { width: 2.5, color: C.best }, itemStyle: { color: C.best }, z: 3 }
    ];
    if (gated) history.push(hollow('fails a gate', fail));
    history.push(scatter('stopped', stopped, C.stopped, { symbol: 'diamond', symbolSize: 7 }));
    history.push(scatter('failed', failed, C.failed, { symbol: 'triangle', symbolSize: 8, itemStyle: { color: C.failed, opacity: 0.9 } }));
    chart('chart-history', {
      grid: grid, tooltip: tooltip(), legend: { top: 4, right: 8, itemWidth: 14 },
      xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 26, min: 0, max: runs[runs.length - 1][0] + 1, splitLine: { show: false } },
      yAxis: yAxis, series: history
    });
    chart('chart-cost', {
      grid: grid, tooltip: tooltip(), legend: { top: 4, right: 8 },
      xAxis: { type: 'value', name: 'cumulative cost', nameLocation: 'middle', nameGap: 26, min: 0, splitLine: { show: false } },
      yAxis: { type: 'value', name: meta.metric, scale: true, splitLine: { lineStyle: { color: '#eef0f4' } } },
      series: [
        scatter('finished', scatterCum, C.finished, { itemStyle: { color: C.finished, opacity: 0.35 } }),
        { name: 'best so far', type: 'line', step: 'end', data: bestCost, showSymbol: false, lineStyle: { width: 2.5, color: C.best }, itemStyle: { color: C.best }, z: 3 }
      ]
    });
    var sc = [scatter('runs', scatterPass, C.finished)];
    if (gated) sc.push(hollow('fails a gate', scatterFail));
    sc.push(scatter('stopped', scatterStop, C.stopped, { symbol: 'diamond', symbolSize: 7 }));
    sc.push({ name: 'Pareto front', type: 'line', step: 'end', data: front, symbol: 'circle', symbolSize: 10, z: 4, lineStyle: { color: C.front, width: 2 }, itemStyle: { color: C.front, borderColor: '#fff', borderWidth: 1.5 } });
    chart('chart-scatter', {
      grid: grid, tooltip: tooltip(), legend: { top: 4, right: 8 },
      xAxis: { type: 'value', name: 'cost', nameLocation: 'middle', nameGap: 26, scale: true, splitLine: { show: false } },
      yAxis: { type: 'value', name: meta.metric, scale: true, splitLine: { lineStyle: { color: '#eef0f4' } } },
      series: sc
    });
    drawImportance();
    drawParallel(lo, hi);
    for (var s2 = 0; s2 < P; s2++) drawSlice(s2);
  }

  function importanceNote() {
    var imp = data.importance;
    if (!imp) return 'not measured';
    if (!imp.parameters.length) return 'not measured: ' + esc(imp.reason || '');
    return 'share of the variance of ' + esc(meta.metric) + ' over the search space each parameter explains (Sobol total effects of a GP fitted to ' + imp.runs + ' runs)';
  }
  function drawImportance() {
    var imp = data.importance, div = document.getElementById('chart-importance');
    if (!imp || !imp.parameters.length) { div.style.height = '40px'; div.textContent = 'Importance needs more finished runs.'; return; }
    var ps = imp.parameters.slice().reverse();
    var longest = 0;
    ps.forEach(function (q) { longest = Math.max(longest, q.key.length); });
    chart('chart-importance', {
      grid: { left: Math.min(260, 16 + 7 * longest), right: 56, top: 10, bottom: 24 },
      tooltip: { trigger: 'item', formatter: function (p) { var q = ps[p.dataIndex]; return '<b>' + esc(q.key) + '</b><br>share: ' + (100 * q.importance).toFixed(1) + '%<br>first-order: ' + q.firstOrder.toFixed(3) + '<br>total effect: ' + q.total.toFixed(3); } },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { lineStyle: { color: '#eef0f4' } } },
      yAxis: { type: 'category', data: ps.map(function (q) { return q.key; }), axisTick: { show: false } },
      series: [{ name: 'importance', type: 'bar', barMaxWidth: 22, data: ps.map(function (q) { return Math.round(1000 * q.importance) / 10; }),
        itemStyle: { color: C.finished, borderRadius: [0, 3, 3, 0] }, label: { show: true, position: 'right', formatter: '{c}%' } }]
    });
  }
  /** How parameter j's axis is drawn: category (strings, or any non-number seen), log (base 10 or 2), or linear. */
  function axisFor(j) {
    var p = meta.params[j];
    var categorical = p.axis === 'category';
    if (!categorical) runs.forEach(function (r) { var v = r[F + j]; if (v !== null && typeof v !== 'number') categorical = true; });
    if (categorical) {
      var cats = (p.values || []).map(String);
      runs.forEach(function (r) { var v = r[F + j]; if (v !== null && cats.indexOf(String(v)) < 0) cats.push(String(v)); });
      return { type: 'category', data: cats, categorical: true };
    }
    var range = p.min !== undefined && p.max !== undefined && p.max > p.min ? { min: p.min, max: p.max } : { min: 'dataMin', max: 'dataMax' };
    if (p.axis === 'log' || p.axis === 'log2') return { type: 'log', logBase: p.axis === 'log2' ? 2 : 10, categorical: false, min: range.min, max: range.max };
    return { type: 'value', min: range.min, max: range.max, categorical: false };
  }
  function drawParallel(lo, hi) {
    var axes = [], lines = [];
    for (var j = 0; j < P; j++) {
      var a = axisFor(j);
      var ax = { dim: j, name: short(meta.params[j].key) + (a.type === 'log' ? ' (log)' : ''), type: a.type };
      if (a.data) ax.data = a.data;
      if (a.logBase) ax.logBase = a.logBase;
      if (a.min !== undefined) { ax.min = a.min; ax.max = a.max; ax.axisLabel = { formatter: fmt }; }
      axes.push(ax);
    }
    axes.push({ dim: P, name: meta.metric, type: 'value', scale: true, nameTextStyle: { fontWeight: 'bold' } });
    runs.forEach(function (r) {
      if (!isScored(r)) return;
      var v = [];
      for (var j = 0; j < P; j++) { var x = r[F + j]; v.push(axes[j].type === 'category' ? String(x) : x); }
      v.push(r[3]);
      lines.push({ name: r[1], value: v });
    });
    var colors = ['#d6dcea', '#9fb3e0', '#5b82dd', '#3b4fc0', '#e8743b'];
    chart('chart-parallel', {
      parallel: { left: 70, right: 140, top: 44, bottom: 28, parallelAxisDefault: { nameLocation: 'start', nameGap: 18, nameTextStyle: { color: '#1d2433', fontSize: 12 }, splitLine: { show: false } } },
      parallelAxis: axes,
      visualMap: { type: 'continuous', dimension: P, min: lo, max: hi, calculable: true, right: 6, top: 'middle', itemHeight: 160, text: [dir > 0 ? 'best' : 'worst', dir > 0 ? 'worst' : 'best'],
        inRange: { color: dir > 0 ? colors : colors.slice().reverse() }, formatter: fmt },
      tooltip: { trigger: 'item', confine: true, formatter: function (p) { return esc(p.name) + ': ' + esc(meta.metric) + ' ' + fmt(p.value[P]); } },
      series: [{ name: 'runs', type: 'parallel', data: lines, lineStyle: { width: 1.2, opacity: 0.55 }, emphasis: { lineStyle: { width: 3, opacity: 1 } }, inactiveOpacity: 0.04, activeOpacity: 0.9 }]
    });
  }
  function drawSlice(j) {
    var a = axisFor(j), key = meta.params[j].key;
    var pass = [], fail = [];
    runs.forEach(function (r, idx) {
      if (!isScored(r) || r[F + j] === null) return;
      var x = a.categorical ? String(r[F + j]) : r[F + j];
      (r[5] ? pass : fail).push([x, r[3], idx]);
    });
    var x = { type: a.type, name: key + (a.type === 'log' ? (a.logBase === 2 ? ' (log\u2082)' : ' (log)') : ''), nameLocation: 'middle', nameGap: 24, splitLine: { show: false } };
    if (a.data) { x.data = a.data; x.boundaryGap = true; }
    if (a.logBase) x.logBase = a.logBase;
    if (a.min !== undefined) { x.min = a.min; x.max = a.max; x.axisLabel = { formatter: fmt, hideOverlap: true }; }
    var series = [{ name: 'runs', type: 'scatter', data: pass, symbolSize: 5, itemStyle: { color: C.finished, opacity: 0.6 } }];
    if (meta.gates.length) series.push({ name: 'fails a gate', type: 'scatter', data: fail, symbolSize: 5, itemStyle: { color: '#fff', borderColor: C.gated } });
    chart('chart-slice-' + j, {
      grid: { left: 50, right: 14, top: 14, bottom: 40 }, tooltip: tooltip(),
      xAxis: x, yAxis: { type: 'value', scale: true, splitLine: { lineStyle: { color: '#eef0f4' } } }, series: series
    });
  }

  function drawTable() {
    var cols = [
      { label: '#', get: function (r) { return r[0]; }, num: true },
      { label: 'run', get: function (r) { return r[1]; }, text: true },
      { label: 'status', get: function (r) { return r[2]; }, text: true, html: function (r) { return '<span class="badge ' + esc(r[2]) + '">' + esc(r[2]) + '</span>'; } },
      { label: meta.metric, key: 'score', get: function (r) { return r[3]; }, num: true, first: -dir },
      { label: 'cost', get: function (r) { return r[4]; }, num: true }
    ];
    if (meta.gates.length) cols.push({ label: 'gates', get: function (r) { return r[2] === 'finished' ? r[5] : null; }, num: true, first: -1,
      html: function (r) { return r[2] !== 'finished' ? '' : r[5] ? '<span class="pass">pass</span>' : '<span class="nopass">fail</span>'; } });
    meta.params.forEach(function (p, j) {
      cols.push({ label: short(p.key), title: p.key, get: function (r) { return r[F + j]; }, num: p.axis !== 'category', text: p.axis === 'category' });
    });
    meta.metrics.forEach(function (m, q) { cols.push({ label: m, get: function (r) { return r[F + P + q]; }, num: true }); });
    cols.push({ label: 'reason', get: function (r) { return r[7]; }, text: true, cls: 'reason' });
    var order = runs.map(function (_, i) { return i; });
    var state = { col: -1, sign: 1 };
    var thead = cols.map(function (c, i) {
      return '<th data-col="' + i + '"' + (c.key ? ' data-key="' + c.key + '"' : '') + ' class="' + (c.text ? 'text' : '') + '" title="' + esc(c.title || c.label) + ' (click to sort)">' + esc(c.label) + '</th>';
    }).join('');
    app.insertAdjacentHTML('beforeend', card('Runs', runs.length + ' runs; click a column to sort, again to reverse', '<div class="table-wrap"><table id="runs"><thead><tr>' + thead + '</tr></thead><tbody></tbody></table></div>', true));
    var table = document.getElementById('runs'), tbody = table.tBodies[0];
    function render() {
      var out = [];
      for (var k = 0; k < order.length; k++) {
        var r = runs[order[k]];
        var tds = '';
        for (var c = 0; c < cols.length; c++) {
          var col = cols[c], v = col.get(r);
          var body = col.html ? col.html(r) : esc(typeof v === 'number' ? fmt(v) : v === null || v === undefined ? (col.num ? '\u2014' : '') : v);
          var title = col.cls === 'reason' && v ? ' title="' + esc(v) + '"' : '';
          tds += '<td class="' + (col.text ? 'text ' : '') + (col.cls || '') + '"' + title + '>' + body + '</td>';
        }
        out.push('<tr data-run="' + esc(r[1]) + '" class="state-' + esc(r[2]) + (r[0] === meta.best ? ' best' : '') + '">' + tds + '</tr>');
      }
      tbody.innerHTML = out.join('');
    }
    function sortBy(c) {
      var col = cols[c];
      state.sign = state.col === c ? -state.sign : (col.first || 1);
      state.col = c;
      var get = col.get, sign = state.sign;
      order.sort(function (a, b) {
        var x = get(runs[a]), y = get(runs[b]);
        var xn = x === null || x === undefined, yn = y === null || y === undefined;
        if (xn || yn) return xn === yn ? runs[a][0] - runs[b][0] : xn ? 1 : -1;
        var d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return sign * d || runs[a][0] - runs[b][0];
      });
      var ths = table.tHead.rows[0].cells;
      for (var i = 0; i < ths.length; i++) ths[i].removeAttribute('aria-sort');
      ths[c].setAttribute('aria-sort', sign > 0 ? 'ascending' : 'descending');
      render();
    }
    table.tHead.addEventListener('click', function (e) {
      var th = e.target.closest('th');
      if (th) sortBy(Number(th.getAttribute('data-col')));
    });
    render();
  }
})();
`;
