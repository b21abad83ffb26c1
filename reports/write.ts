/**
 * The file side of reports: read results, matrices and a baseline, render, write one HTML file.
 * Kept apart from render.ts so that the renderer stays a pure function.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { readResults } from '../bench/results.js';
import { loadReportAssets } from './assets.js';
import { readMatrix } from './matrix.js';
import { renderReport } from './render.js';

export interface WriteReportOptions {
  /** results.json to report on. */
  readonly in: string;
  /** HTML file to write; defaults to `reportPathBeside(in)`. */
  readonly out?: string | undefined;
  /** Conformance matrix files, one per target. */
  readonly conformance?: readonly string[] | undefined;
  /** A results file to compare with. */
  readonly baseline?: string | undefined;
}

/** `results/results.json` → `results/results.html`. */
export function reportPathBeside(resultsPath: string): string {
  const ext = extname(resultsPath);
  return join(dirname(resultsPath), `${basename(resultsPath, ext === '.json' ? ext : '')}.html`);
}

/** Renders and writes the report; returns the path written. */
export function writeReport(options: WriteReportOptions): string {
  const out = options.out ?? reportPathBeside(options.in);
  const html = renderReport({
    results: readResults(options.in),
    conformance: options.conformance?.map(readMatrix),
    baseline: options.baseline === undefined ? undefined : readResults(options.baseline),
    assets: loadReportAssets(),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return out;
}

/** What `mqlab bench` calls after writing results: the report lands beside them. Returns its path. */
export function writeReportBeside(resultsPath: string): string {
  return writeReport({ in: resultsPath });
}
