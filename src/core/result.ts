/**
 * The JSON result every estimation command returns (docs/CONTRACT.md, "JSON result"). Estimator-specific
 * blocks (att_gt, aggregations, unit_weights, scores …) are optional fields.
 */
export interface EstimateRow {
  term: string;
  estimate: number | null;
  std_error: number | null;
  statistic: number | null;
  p_value: number | null;
  conf_low: number | null;
  conf_high: number | null;
  [extra: string]: unknown;
}

export interface VcovInfo {
  type: string;
  clusters?: Record<string, number>;
  small_sample?: string;
  df?: number | null;
  [extra: string]: unknown;
}

export interface Provenance {
  seed: number | null;
  inputs: Record<string, string>;
  options: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface KeytechResult {
  keytech: string;
  command: string;
  estimates: EstimateRow[];
  nobs: number;
  fit?: { r2?: number | null; adj_r2?: number | null; within_r2?: number | null; [k: string]: unknown };
  vcov?: VcovInfo;
  dropped: { singletons: number; missing: number; collinear: string[]; [k: string]: unknown };
  provenance: Provenance;
  warnings?: string[];
  [extra: string]: unknown;
}

/** The `vcov_matrix` block of a result: the covariance of the named estimates (row-major, null = NA). */
export interface VcovMatrixBlock {
  terms: string[];
  matrix: (number | null)[][];
}

/** `{terms, matrix}` of a coefficient covariance V (k × k, row-major data) with its coefficient names. */
export function vcovMatrixBlock(terms: string[], V: { data: Float64Array }): VcovMatrixBlock {
  const k = terms.length;
  return { terms, matrix: terms.map((_, i) => Array.from(V.data.subarray(i * k, (i + 1) * k), (x) => (Number.isFinite(x) ? x : null))) };
}

/** JSON with NaN/±Inf written as null (JSON has no NaN). */
export function resultToJson(r: unknown): string {
  return JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}
