/**
 * The region × year grid shared by the panels (outcomes, diffusion, co-specialisation): the region and
 * year lists (given, or by default every region with a patent, sorted, and first..last patent year), and
 * each patent's cell r·T + t, or why it has none.
 */

export interface GridInput {
  n: number;
  year: Int32Array;
  /** Region index per patent (−1 = missing) into regionNames. */
  region: Int32Array;
  regionNames: readonly string[];
  /** 1 = the patent counts; all when absent. Excluded patents do not shape the default lists. */
  include?: Uint8Array;
}

export interface GridOptions {
  regions?: readonly string[];
  years?: readonly number[];
}

/** Cell codes for patents outside the grid. */
export const EXCLUDED = -1;
export const MISSING_REGION = -2;
export const REGION_NOT_LISTED = -3;
export const YEAR_NOT_LISTED = -4;

export interface RegionYearGrid {
  regions: string[];
  years: number[];
  /** Number of years (cells are r·T + t). */
  T: number;
  /** Grid row of each region index of the input (−1 = not listed). */
  regionRow: Int32Array;
  /** Cell of each patent (≥ 0), or one of the negative codes above (checked in that order). */
  cell: Int32Array;
}

/** Build the grid of a patent table (see file comment). */
export function regionYearGrid(x: GridInput, o: GridOptions = {}): RegionYearGrid {
  const inc = x.include;
  let regions: string[];
  if (o.regions) regions = [...o.regions];
  else {
    const seen = new Set<number>();
    for (let p = 0; p < x.n; p++) if (x.region[p]! >= 0 && (!inc || inc[p])) seen.add(x.region[p]!);
    regions = [...seen].map((i) => x.regionNames[i]!).sort();
  }
  let years: number[];
  if (o.years) years = [...o.years];
  else {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < x.n; p++) {
      if (inc && !inc[p]) continue;
      lo = Math.min(lo, x.year[p]!);
      hi = Math.max(hi, x.year[p]!);
    }
    years = [];
    for (let y = lo; y <= hi; y++) years.push(y);
  }
  const rowOf = new Map(regions.map((r, i) => [r, i]));
  const regionRow = Int32Array.from(x.regionNames, (nm) => rowOf.get(nm) ?? -1);
  const colOf = new Map(years.map((y, i) => [y, i]));
  const T = years.length;
  const cell = new Int32Array(x.n);
  for (let p = 0; p < x.n; p++) {
    if (inc && !inc[p]) {
      cell[p] = EXCLUDED;
      continue;
    }
    const ri = x.region[p]!;
    if (ri < 0) {
      cell[p] = MISSING_REGION;
      continue;
    }
    const r = regionRow[ri]!;
    if (r < 0) {
      cell[p] = REGION_NOT_LISTED;
      continue;
    }
    const t = colOf.get(x.year[p]!);
    cell[p] = t === undefined ? YEAR_NOT_LISTED : r * T + t;
  }
  return { regions, years, T, regionRow, cell };
}
