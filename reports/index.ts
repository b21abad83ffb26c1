/** reports: results files to one self-contained HTML report. Reads only results files, never core. */
export { loadReportAssets, type ReportAssets } from './assets.js';
export { escapeHtml, jsonForScript } from './html.js';
export { curveFromHdr, latencyCurve, percentileAt, type LatencyCurve } from './latency-curve.js';
export { CHECK_STATUSES, matrixSchema, parseMatrix, readMatrix, type Check, type CheckStatus, type Matrix } from './matrix.js';
export { buildReportModel, type ChartSpec, type ReportModel } from './model.js';
export { renderReport, type ReportInput } from './render.js';
export { bootstrapRatioCI, seededRandom, type BootstrapOptions, type RatioInterval } from './stats.js';
export { reportPathBeside, writeReport, writeReportBeside, type WriteReportOptions } from './write.js';
