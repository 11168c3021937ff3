/** The fixed-effect input shared by feols, fepois and the demeaning (its own file: no demean ↔ feols cycle). */
/** One fixed-effect dimension: integer codes 0..nLevels−1 per observation. */
export interface FixedEffectInput {
  /** display name, e.g. "countyreal" or "countyreal^year" */
  name: string;
  codes: Int32Array;
  nLevels: number;
  /**
   * Varying slopes (fixest `fe[x]`): one coefficient per level for each slope variable. With
   * `slopesOnly` (fixest `fe[[x]]`) the fixed effect itself (level intercepts) is not included.
   */
  slopes?: { name: string; values: Float64Array }[];
  slopesOnly?: boolean;
}
