/**
 * Variance–covariance estimators for feols fits with fixest's small-sample corrections
 * (METHODS.md §5.2). API contract; see the implementation notes in each function.
 */
import type { Mat } from "../core/linalg.js";

export interface ClusterInput {
  name: string;
  codes: Int32Array;
  nLevels: number;
}

export type VcovSpec =
  | { type: "iid" }
  | { type: "hc1" }
  | { type: "cluster"; clusters: ClusterInput[] };

/** fixest `ssc()` (0.14 names): K.adj, K.fixef, G.adj, G.df, t.df. */
export interface SscOptions {
  kAdj?: boolean; // default true
  kFixef?: "nested" | "none" | "full"; // default "nested"
  gAdj?: boolean; // default true
  gDf?: "min" | "conventional"; // default "min"
  tDf?: "min" | "conventional"; // default "min"
}

export interface VcovResult {
  V: Mat;
  /** degrees of freedom for t tests (G_min − 1 when clustered, else n − K) */
  df: number;
  type: "iid" | "hc1" | "cluster";
  clusters?: Record<string, number>;
  /** human-readable description of the correction applied */
  smallSample: string;
}
