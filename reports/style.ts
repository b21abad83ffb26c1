/** The report's own stylesheet, inlined after uPlot's. Light, print-friendly, no web fonts. */
export const REPORT_CSS = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --panel: #f9fafb;
  --pass: #dcfce7; --pass-fg: #166534; --fail: #fee2e2; --fail-fg: #991b1b; --na: #f3f4f6; --na-fg: #4b5563; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
nav { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 12px; }
nav a { color: #2563eb; text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1400px; }
section { margin-top: 28px; }
h2 { font-size: 18px; margin: 0 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 4px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.note { color: var(--muted); margin: 4px 0 10px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 16px; }
.kpi { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 180px; }
.kpi b { display: block; font-size: 22px; }
.kpi span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.ok { color: var(--pass-fg); }
.miss, .failed { color: var(--fail-fg); font-weight: 600; }
.up { color: var(--pass-fg); }
.down { color: var(--fail-fg); }
.chart { width: 100%; min-height: 120px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px; min-width: 0; }
.panel .empty { color: var(--muted); font-style: italic; padding: 8px 0; }
.matrix td.cell { text-align: center; min-width: 90px; }
.matrix td.pass { background: var(--pass); color: var(--pass-fg); }
.matrix td.fail { background: var(--fail); color: var(--fail-fg); }
.matrix td.na, .matrix td.missing { background: var(--na); color: var(--na-fg); }
.matrix details summary { cursor: pointer; }
.matrix .msg { text-align: left; white-space: pre-wrap; font-size: 12px; max-width: 420px; }
.env th { width: 160px; }
.uplot { font-family: inherit; }
`;
