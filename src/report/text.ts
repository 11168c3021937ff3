/** Small text helpers shared by the table renderers (block tables and `keytech table`). */

export { stars } from "../core/format.js";

/** Escape &, <, > and " for HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A CSV field (RFC 4180): quoted when it holds a quote, comma or newline, quotes doubled. */
export function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
