/**
 * Labels in the economics style for terms and variables: `treat_post` → "Treat × Post", `rel::-4` →
 * "e = −4", `treat_post:supply_chain` → "Treat × Post × Supply chain", a column → its label from the
 * spec or, by default, its name with underscores as spaces and a capital first letter.
 */

/**
 * "supply_chain" → "Supply chain"; names that already hold capitals or spaces, or that start with a
 * one-letter prefix ("l_homicide", "y_2"), stay as they are.
 */
export function prettyName(col: string): string {
  if (/[A-Z ]/.test(col) || /^[a-z][_.]/.test(col)) return col;
  const s = col.replaceAll("_", " ").replace(/\s+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A number with a true minus sign (U+2212), as typeset. */
export function signed(k: number | string): string {
  return String(k).replace(/^-/, "−");
}

const FIXED: Record<string, string> = {
  treat_post: "Treat × Post",
  pilot_post: "Program × Post",
  ATT: "ATT (simple)",
  "ATT::dynamic": "ATT (dynamic)",
  "ATT::group": "ATT (group)",
  "ATT::calendar": "ATT (calendar)",
  att: "ATT",
  avg_post: "Average post-period effect",
  total: "Total effect",
  direct: "Direct effect",
  digital_total: "Total effect of the treated group",
  "diff:treat_post": "Difference (low − high)",
};

/**
 * The printed label of a result term: `overrides` (per table) first, then the fixed economics names,
 * event time `rel::K` → "e = K", `path:m` → "Via <m>", interactions `a:b` → "A × B", and columns
 * through `vars` (spec labels) or `prettyName`.
 */
export function termLabel(term: string, vars: Record<string, string> = {}, overrides: Record<string, string> = {}): string {
  if (overrides[term]) return overrides[term];
  if (FIXED[term]) return FIXED[term];
  const rel = /^(?:rel|pre)::(-?\d+)$/.exec(term);
  if (rel) return `e = ${signed(rel[1]!)}`;
  if (term.startsWith("path:")) return `Via ${termLabel(term.slice(5), vars)}`;
  if (term.includes(":") && !term.includes("::"))
    return term
      .split(":")
      .map((t) => termLabel(t, vars))
      .join(" × ");
  return vars[term] ?? prettyName(term);
}
