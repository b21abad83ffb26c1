/**
 * The charting library the report inlines: uPlot's IIFE build and its stylesheet, read from
 * node_modules when a report is written, so the HTML file fetches nothing when it is viewed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ReportAssets {
  /** uPlot's IIFE build; defines the global `uPlot`. */
  readonly uplotJs: string;
  readonly uplotCss: string;
}

let cached: ReportAssets | undefined;

export function loadReportAssets(): ReportAssets {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  cached = {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return cached;
}
