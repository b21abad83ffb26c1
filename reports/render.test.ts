import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from './html.js';
import { renderReport } from './render.js';
import { HOSTILE_NAME, syntheticMatrices, syntheticResults } from './synthetic-results.js';

const assets = { uplotJs: 'window.uPlot = function () {};', uplotCss: '.uplot{}' };

/** The page's JSON data block, parsed as the browser would. */
function dataBlock(html: string): { charts: { kind: string; id: string }[] } {
  const m = /<script type="application\/json" id="mqlab-data">([\s\S]*?)<\/script>/.exec(html);
  if (m?.[1] === undefined) throw new Error('no data block');
  return JSON.parse(m[1]) as { charts: { kind: string; id: string }[] };
}

describe('renderReport', () => {
  it('escapes hostile scenario, target, param, check and env names everywhere they are embedded', () => {
    const results = syntheticResults({ scenarios: 3, hostile: true });
    const html = renderReport({ results, baseline: results, conformance: syntheticMatrices(true), assets });
    expect(html).not.toContain(HOSTILE_NAME);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/onerror="/);
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    // Only the three script elements the page itself opens (data, uPlot, client) and their closers.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    // The data block survives the escaping and round-trips the hostile label.
    expect(JSON.stringify(dataBlock(html))).toContain(JSON.stringify(HOSTILE_NAME).slice(1, -1));
  });

  it('escapes <, > and & in the embedded JSON data', () => {
    const json = jsonForScript({ name: HOSTILE_NAME });
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toEqual({ name: HOSTILE_NAME });
  });

  it('neutralises a closing script tag inside the inlined chart library', () => {
    const html = renderReport({ results: syntheticResults({ scenarios: 1 }), assets: { uplotJs: 'var s = "</script><b>";', uplotCss: '</style><b>' } });
    expect(html).toContain('var s = "<\\/script><b>";');
    expect(html).not.toContain('</style><b>');
  });

  it('renders every section, with one chart per throughput unit, latency curve and time series', () => {
    const html = renderReport({ results: syntheticResults({ scenarios: 5 }), conformance: syntheticMatrices(), baseline: syntheticResults({ scenarios: 5, scale: 0.5 }), assets });
    for (const id of ['summary', 'throughput', 'latency', 'timeseries', 'baseline', 'conformance', 'environment']) expect(html).toContain(`<section id="${id}">`);
    const kinds = dataBlock(html).charts.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'bars')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'latency')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'timeseries')).toHaveLength(5);
    for (const c of dataBlock(html).charts) expect(html).toContain(`id="${c.id}"`);
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('omits the baseline and conformance sections when not given them', () => {
    const html = renderReport({ results: syntheticResults({ scenarios: 2 }), assets });
    expect(html).not.toContain('<section id="baseline">');
    expect(html).not.toContain('<section id="conformance">');
  });

  it('says "no time series" for a scenario without samples', () => {
    const results = syntheticResults({ scenarios: 2 });
    const first = results.scenarios[0];
    if (first === undefined) throw new Error('no scenario');
    delete first.samples_msgs_per_s;
    const html = renderReport({ results, assets });
    expect(html.match(/no time series/g)).toHaveLength(1);
  });

  it('flags samples stored sorted as having no time order', () => {
    const results = syntheticResults({ scenarios: 2 });
    const first = results.scenarios[0];
    if (first?.samples_msgs_per_s === undefined) throw new Error('no samples');
    first.samples_msgs_per_s.sort((a, b) => b - a);
    const html = renderReport({ results, assets });
    expect(html.match(/stored sorted/g)).toHaveLength(1);
  });

  it('compares against the seed rates: 500k msgs/s produce is 2.0× the seed', () => {
    const results = syntheticResults({ scenarios: 3 });
    const produce = results.scenarios.find((s) => s.id === 'kafka.produce.200B');
    if (produce === undefined) throw new Error('no produce scenario');
    produce.throughput = { msgs_per_s: 500_000, MB_per_s: 100 };
    const html = renderReport({ results, assets });
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('<section id="throughput">'));
    expect(summary).toContain('kafka.produce.200B');
    expect(summary).toMatch(/<td class="num">2\.0×<\/td>/);
  });

  it('reports the baseline ratio per scenario, with a bootstrap interval when both sides have samples', () => {
    const current = syntheticResults({ scenarios: 3, seed: 1 });
    const baseline = syntheticResults({ scenarios: 3, seed: 1, scale: 0.5 });
    const html = renderReport({ results: current, baseline, assets });
    const section = html.slice(html.indexOf('<section id="baseline">'), html.indexOf('<section id="environment">'));
    expect(section.match(/2\.000×/g)?.length).toBeGreaterThanOrEqual(3);
    expect(section).toMatch(/\d\.\d{3}–\d\.\d{3}/);
  });

  it('marks scenarios only in the baseline as removed and only in this run as new', () => {
    const html = renderReport({ results: syntheticResults({ scenarios: 4 }), baseline: syntheticResults({ scenarios: 5 }), assets });
    expect(html).toContain('<td class="id">synthetic.4.200B</td><td>removed</td>');
  });

  it('draws the conformance matrix as checks × targets with each cell status and message', () => {
    const html = renderReport({ results: syntheticResults({ scenarios: 1 }), conformance: syntheticMatrices(), assets });
    const section = html.slice(html.indexOf('<section id="conformance">'), html.indexOf('<section id="environment">'));
    expect(section).toContain('<td class="cell fail"><details><summary>fail · 5 ms</summary><div class="msg">expected 3 deliveries, got 2</div>');
    expect(section).toContain('<td class="cell na"><details><summary>n/a · 40 ms</summary>');
    expect(section).toContain('<td class="cell missing">not run</td>');
    expect(section).toContain('3.13.7');
  });

  it('is deterministic: the same input renders the same bytes', () => {
    const input = { results: syntheticResults({ scenarios: 3 }), baseline: syntheticResults({ scenarios: 3, seed: 2 }), assets };
    expect(renderReport(input)).toBe(renderReport(input));
  });
});
