/** Number formats shared by the study blocks and the report (p-values as journals print them). */

/**
 * A p-value as journals print it: three decimals, "< 0.001" below that; with `draws` (a randomisation or
 * permutation p from that many draws) a zero becomes "< 1/draws", the smallest p the draws can show.
 * Empty for a missing p.
 */
export function formatP(p: number | null | undefined, draws?: number): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "";
  if (p === 0 && draws && draws > 0) return `< ${Number((1 / draws).toPrecision(2))}`;
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}
