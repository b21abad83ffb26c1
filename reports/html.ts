/**
 * Escaping for everything the report embeds. Names in results files (scenario ids, targets, params,
 * error and check messages) are untrusted text: they go through `escapeHtml` in markup, through
 * `jsonForScript` in the data block, and inlined assets through `inlineScript`/`inlineStyle`, so no
 * embedded string can close its element or start markup of its own.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in element text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` block. `<`, `>` and `&` become \u escapes, so the
 * text can never contain `</script` or `<!--`; U+2028/U+2029 likewise, for any consumer that evals.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JavaScript source for an inline <script>: `</script` and `<!--` cannot occur in the result. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** CSS for an inline <style>: `</style` cannot occur in the result. */
export function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}
