/**
 * `renderReport`: results (and optionally conformance matrices and a baseline) to one self-contained
 * HTML page. A pure function (STYLE.md rule 16): the same input gives the same bytes, it reads no
 * files and no clock, and the assets it inlines are passed in. Every string from a results or matrix
 * file is escaped where it is embedded: `escapeHtml` in markup, `jsonForScript` in the data block.
 * A Content-Security-Policy forbids every fetch, so the page works offline and cannot phone home.
 */
import type { Results, Scenario } from '../bench/results.js';
import { SEED_RATES } from '../bench/targets.js';
import type { ReportAssets } from './assets.js';
import { CLIENT_SCRIPT } from './client.js';
import { REPORT_CSS } from './style.js';
import { escapeHtml as esc, inlineScript, inlineStyle, jsonForScript } from './html.js';
import type { Matrix } from './matrix.js';
import { buildReportModel, formatRate, type BaselineRow, type MatrixCell, type MatrixModel, type ReportModel, type TargetCheck } from './model.js';

export interface ReportInput {
  readonly results: Results;
  readonly conformance?: readonly Matrix[] | undefined;
  readonly baseline?: Results | undefined;
  readonly assets: ReportAssets;
  /** Page title; defaults to "mqlab report — <suite>". */
  readonly title?: string | undefined;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function num(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

/** A number cell: formatted text, the raw figure in its title. */
function rateCell(n: number | undefined, unit: string): string {
  if (n === undefined) return '<td class="num">—</td>';
  return `<td class="num" title="${esc(`${n} ${unit}`)}">${esc(formatRate(n))}</td>`;
}

function mbCell(n: number | undefined): string {
  if (n === undefined) return '<td class="num">—</td>';
  return `<td class="num" title="${esc(`${n} MB/s`)}">${esc(num(n))}</td>`;
}

function ratioText(r: number | undefined, digits = 2): string {
  return r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(digits)}×`;
}

function checksCell(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '<td></td>';
  return `<td>${checks.map((c) => `<span class="${c.ok ? 'ok' : 'miss'}">${c.ok ? '✓' : '✗'} ${esc(c.label)}</span>`).join('<br>')}</td>`;
}

function paramsText(s: Scenario): string {
  return Object.entries(s.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

function summarySection(m: ReportModel): string {
  const best = (kind: 'produce' | 'consume'): string => {
    const rows = m.seedRows.filter((r) => r.seed === kind);
    if (rows.length === 0) return '—';
    return ratioText(Math.max(...rows.map((r) => r.msgsRatio)), 1);
  };
  const kpis = [
    [`${m.totals.scenarios}`, `scenarios (${m.totals.failed} failed)`],
    [m.totals.checksTotal === 0 ? '—' : `${m.totals.checksMet}/${m.totals.checksTotal}`, 'target checks met'],
    [best('produce'), `best produce vs seed (${formatRate(SEED_RATES.produce.msgs_per_s)} msgs/s, ${SEED_RATES.produce.MB_per_s} MB/s)`],
    [best('consume'), `best consume vs seed (${formatRate(SEED_RATES.consume.msgs_per_s)} msgs/s, ${SEED_RATES.consume.MB_per_s} MB/s)`],
  ];
  const rows = m.seedRows.map(
    (r) =>
      `<tr><td class="id">${esc(r.scenario.id)}</td><td>${esc(r.scenario.target)}</td><td>${r.seed}</td>` +
      rateCell(r.scenario.throughput.msgs_per_s, 'msgs/s') +
      rateCell(SEED_RATES[r.seed].msgs_per_s, 'msgs/s') +
      `<td class="num">${ratioText(r.msgsRatio, 1)}</td>` +
      mbCell(r.scenario.throughput.MB_per_s) +
      mbCell(SEED_RATES[r.seed].MB_per_s) +
      `<td class="num">${ratioText(r.mbRatio, 1)}</td></tr>`,
  );
  return `<section id="summary"><h2>Summary against the seed's documented rates</h2>
<p class="note">The seed documents Kafka at about ${formatRate(SEED_RATES.produce.msgs_per_s)} msgs/s (${SEED_RATES.produce.MB_per_s} MB/s) produce and ${formatRate(SEED_RATES.consume.msgs_per_s)} msgs/s (${SEED_RATES.consume.MB_per_s} MB/s) consume for ~200-byte messages.</p>
<div class="kpis">${kpis.map(([v, l]) => `<div class="kpi"><b>${esc(v ?? '')}</b><span>${esc(l ?? '')}</span></div>`).join('')}</div>
${
  rows.length === 0
    ? '<p class="note">No produce or consume scenario in these results.</p>'
    : `<table><thead><tr><th>scenario</th><th>target</th><th>seed</th><th class="num">msgs/s</th><th class="num">seed msgs/s</th><th class="num">×</th><th class="num">MB/s</th><th class="num">seed MB/s</th><th class="num">×</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
}</section>`;
}

function throughputSection(m: ReportModel): string {
  const [msgsChart, mbChart] = m.charts;
  const rows = m.throughput.map((r) => {
    const s = r.scenario;
    const failed = s.status === 'failed';
    const lat = s.latency === undefined ? '—' : `${num(s.latency.p50_us, 0)} / ${num(s.latency.p99_us, 0)}`;
    return (
      `<tr><td class="id" title="${esc(paramsText(s))}">${esc(s.id)}${failed ? `<br><span class="failed">failed: ${esc(s.error ?? 'no message')}</span>` : ''}</td>` +
      `<td>${esc(s.target)}</td><td class="num">${s.threads} / ${s.cores}</td>` +
      (failed ? '<td class="num">—</td><td class="num">—</td>' : rateCell(s.throughput.msgs_per_s, 'msgs/s') + mbCell(s.throughput.MB_per_s)) +
      `<td class="id">${esc(s.reference?.name ?? '')}</td>` +
      rateCell(s.reference?.msgs_per_s, 'msgs/s') +
      mbCell(r.referenceMBPerS) +
      `<td class="num">${ratioText(s.reference?.ratio)}</td><td class="num">${lat}</td>` +
      checksCell(r.checks) +
      '</tr>'
    );
  });
  return `<section id="throughput"><h2>Throughput per scenario</h2>
<p class="note">Each scenario beside the reference it is measured against: a peer measured in the same run, or the seed's rate. Log scale. Hover a row's id for its parameters.</p>
<div class="panel"><h3>msgs/s</h3><div class="chart" id="${msgsChart?.id ?? ''}" data-chart="bars"></div></div>
<div class="panel" style="margin-top:16px"><h3>MB/s</h3><div class="chart" id="${mbChart?.id ?? ''}" data-chart="bars"></div></div>
<table style="margin-top:16px"><thead><tr><th>scenario</th><th>target</th><th class="num">threads / cores</th><th class="num">msgs/s</th><th class="num">MB/s</th><th>reference</th><th class="num">ref msgs/s</th><th class="num">ref MB/s</th><th class="num">ratio</th><th class="num">p50 / p99 µs</th><th>target checks</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function latencySection(m: ReportModel): string {
  const panels = m.latency.map((p) => {
    const l = p.scenario.latency;
    const facts = l === undefined ? '' : `p50 ${num(l.p50_us, 0)} µs · p99 ${num(l.p99_us, 0)} µs · p99.9 ${num(l.p999_us, 0)} µs · max ${num(l.max_us, 0)} µs`;
    const source = p.curve.source === 'hdr' ? `HDR histogram, ${p.curve.count} values` : 'summary percentiles only (no HDR histogram)';
    return `<div class="panel"><h3>${esc(p.scenario.id)}</h3><p class="note">${esc(facts)}<br>${esc(source)}</p><div class="chart" id="${p.chartId}" data-chart="latency"></div></div>`;
  });
  return `<section id="latency"><h2>Latency percentiles</h2>
<p class="note">Percentile curves from each scenario's HDR histogram; the percentile axis is log-scaled (1/(1−p)), so the tail reads as clearly as the median.</p>
${panels.length === 0 ? '<p class="note">No scenario recorded latency.</p>' : `<div class="grid">${panels.join('\n')}</div>`}</section>`;
}

function timeSeriesSection(m: ReportModel): string {
  const panels = m.timeSeries.map((p) =>
    p.chartId === undefined
      ? `<div class="panel"><h3>${esc(p.scenario.id)}</h3><p class="empty">no time series</p></div>`
      : `<div class="panel"><h3>${esc(p.scenario.id)}</h3><p class="note">${p.samples} samples, ${p.sorted ? '<b>stored sorted</b>: the order in time is lost, so this shows their spread, not a trend' : 'in run order'}</p><div class="chart" id="${p.chartId}" data-chart="timeseries"></div></div>`,
  );
  return `<section id="timeseries"><h2>Throughput over time</h2>
<p class="note">Per-sample rates (samples_msgs_per_s) through each run; long runs are drawn as bucket means with their min–max band.</p>
<div class="grid">${panels.join('\n')}</div></section>`;
}

function baselineRow(r: BaselineRow): string {
  const cls = (x: number | undefined, higherIsBetter: boolean): string => (x === undefined ? '' : (x >= 1) === higherIsBetter ? 'up' : 'down');
  const status = r.current === undefined ? 'removed' : r.baseline === undefined ? 'new' : '';
  const ci = r.ci === undefined ? '—' : `${r.ci.low.toFixed(3)}–${r.ci.high.toFixed(3)}`;
  return (
    `<tr><td class="id">${esc(r.id)}</td><td>${status}</td>` +
    rateCell(r.baseline?.status === 'ok' ? r.baseline.throughput.msgs_per_s : undefined, 'msgs/s') +
    rateCell(r.current?.status === 'ok' ? r.current.throughput.msgs_per_s : undefined, 'msgs/s') +
    `<td class="num ${cls(r.ratio, true)}">${ratioText(r.ratio, 3)}</td>` +
    `<td class="num">${r.ci === undefined ? '—' : ratioText(r.ci.ratio, 3)}</td><td class="num">${ci}</td>` +
    `<td class="num ${cls(r.p99Ratio, false)}">${ratioText(r.p99Ratio, 3)}</td></tr>`
  );
}

function baselineSection(m: ReportModel): string {
  if (m.baselineRows === undefined || m.baseline === undefined) return '';
  const b = m.baseline;
  return `<section id="baseline"><h2>Change against the baseline</h2>
<p class="note">Baseline: suite ${esc(b.suite)}, commit ${esc(b.env.commit)}, ${esc(b.created)}. Ratio = this run's msgs/s ÷ the baseline's. Where both sides recorded samples, a 95% percentile-bootstrap interval (2,000 resamples, seeded) on the ratio of mean sample rates.</p>
<table><thead><tr><th>scenario</th><th></th><th class="num">baseline msgs/s</th><th class="num">this run msgs/s</th><th class="num">ratio</th><th class="num">ratio of sample means</th><th class="num">95% CI</th><th class="num">p99 ratio</th></tr></thead>
<tbody>${m.baselineRows.map(baselineRow).join('\n')}</tbody></table></section>`;
}

function matrixCell(c: MatrixCell): string {
  if (c.check === undefined) return '<td class="cell missing">not run</td>';
  const cls = c.status === 'n/a' ? 'na' : c.status;
  const label = `${c.status}${c.check.duration_ms === undefined ? '' : ` · ${num(c.check.duration_ms, 0)} ms`}`;
  if (c.check.message.length === 0) return `<td class="cell ${cls}">${esc(label)}</td>`;
  return `<td class="cell ${cls}"><details><summary>${esc(label)}</summary><div class="msg">${esc(c.check.message)}</div></details></td>`;
}

function conformanceSection(matrix: MatrixModel | undefined): string {
  if (matrix === undefined) return '';
  const head = matrix.targets.map((t) => `<th class="cell">${esc(t.target)}<br><small>${esc(t.version)}</small><br><small>${t.pass} pass · ${t.fail} fail · ${t.na} n/a</small></th>`).join('');
  const rows = matrix.rows.map((r) => `<tr><td class="id">${esc(r.id)}</td><td>${esc(r.title)}</td>${r.cells.map(matrixCell).join('')}</tr>`);
  return `<section id="conformance"><h2>Conformance</h2>
<p class="note">Checks × targets; open a cell for its message.</p>
<table class="matrix"><thead><tr><th>check</th><th>title</th>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table></section>`;
}

function envSection(m: ReportModel): string {
  const r = m.results;
  const b = m.baseline;
  const fields: [string, (x: Results) => string][] = [
    ['suite', (x) => x.suite],
    ['created', (x) => x.created],
    ['node', (x) => x.env.node],
    ['v8', (x) => x.env.v8],
    ['cpu', (x) => x.env.cpu],
    ['cores', (x) => String(x.env.cores)],
    ['os', (x) => x.env.os],
    ['memory', (x) => (x.env.memory_bytes === undefined ? '—' : `${(x.env.memory_bytes / 2 ** 30).toFixed(1)} GiB`)],
    ['commit', (x) => x.env.commit],
  ];
  const head = b === undefined ? '' : '<thead><tr><th></th><th>this run</th><th>baseline</th></tr></thead>';
  const rows = fields.map(([k, f]) => `<tr><th>${k}</th><td>${esc(f(r))}</td>${b === undefined ? '' : `<td>${esc(f(b))}</td>`}</tr>`);
  return `<section id="environment"><h2>Environment</h2><table class="env">${head}<tbody>${rows.join('\n')}</tbody></table></section>`;
}

export function renderReport(input: ReportInput): string {
  const m = buildReportModel(input);
  const title = input.title ?? `mqlab report — ${input.results.suite}`;
  const sections: [string, string][] = [
    ['summary', 'Summary'],
    ['throughput', 'Throughput'],
    ['latency', 'Latency'],
    ['timeseries', 'Over time'],
    ...(m.baselineRows === undefined ? [] : ([['baseline', 'Baseline']] as [string, string][])),
    ...(m.matrix === undefined ? [] : ([['conformance', 'Conformance']] as [string, string][])),
    ['environment', 'Environment'],
  ];
  const e = input.results.env;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${inlineStyle(input.assets.uplotCss)}</style>
<style>${inlineStyle(REPORT_CSS)}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>
<p>${esc(`${input.results.created} · node ${e.node} · ${e.cpu} · ${e.cores} cores · commit ${e.commit}`)}</p>
<nav>${sections.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav></header>
<main>
${summarySection(m)}
${throughputSection(m)}
${latencySection(m)}
${timeSeriesSection(m)}
${baselineSection(m)}
${conformanceSection(m.matrix)}
${envSection(m)}
</main>
<script type="application/json" id="mqlab-data">${jsonForScript({ charts: m.charts })}</script>
<script>${inlineScript(input.assets.uplotJs)}</script>
<script>${inlineScript(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}
