/** Small text helpers shared by the table renderers (block tables and `keytech table`). */

/** Significance stars: *** p < 0.01, ** p < 0.05, * p < 0.1 (none for a missing p). */
export function stars(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "";
  return p < 0.01 ? "***" : p < 0.05 ? "**" : p < 0.1 ? "*" : "";
}

/** Escape &, <, > and " for HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A CSV field (RFC 4180): quoted when it holds a quote, comma or newline, quotes doubled. */
export function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
