/**
 * Region × year outcome panel: for every (region, year) of the given lists — explicit zeros where a
 * region has no patent that year — the count of patents, of breakthrough patents, the sum of imp^H
 * (missing importance adds nothing) and the citations received excluding self-citations. Patents whose
 * region or year is not in the lists, or whose region is missing, are counted and reported, not kept.
 */
import { EXCLUDED, MISSING_REGION, REGION_NOT_LISTED, regionYearGrid } from "./grid.js";

export interface PanelInput {
  n: number;
  year: Int32Array;
  /** Region index per patent (−1 = missing) into regionNames. */
  region: Int32Array;
  regionNames: readonly string[];
  /** 1 = the patent counts (e.g. in the taxonomy category); all when absent. */
  include?: Uint8Array;
  /** 1 / 0 / −1 (missing). */
  breakthrough?: Int8Array;
  /** Importance at the breakthrough horizon (NaN = missing). */
  importance?: Float64Array;
  /** Citations received (self-citations already excluded). */
  citations?: Float64Array;
}

export interface PanelOptions {
  /** Regions of the panel (default: every region that has a patent, sorted). */
  regions?: readonly string[];
  /** Years of the panel (default: first..last year with a patent). */
  years?: readonly number[];
}

export interface RegionYearPanel {
  regions: string[];
  years: number[];
  /** Row-major (region, year): index r * years.length + t. */
  patents: Float64Array;
  breakthroughs?: Float64Array;
  sumImportance?: Float64Array;
  citations?: Float64Array;
  dropped: { missingRegion: number; regionNotListed: number; yearNotListed: number; excluded: number };
}

/** Aggregate per-patent outcomes to the region × year grid (see file comment). */
export function regionYearPanel(x: PanelInput, o: PanelOptions = {}): RegionYearPanel {
  const { regions, years, T, cell: cellOf } = regionYearGrid(x, o);
  const size = regions.length * T;
  const patents = new Float64Array(size);
  const breakthroughs = x.breakthrough ? new Float64Array(size) : undefined;
  const sumImportance = x.importance ? new Float64Array(size) : undefined;
  const citations = x.citations ? new Float64Array(size) : undefined;
  const dropped = { missingRegion: 0, regionNotListed: 0, yearNotListed: 0, excluded: 0 };
  for (let p = 0; p < x.n; p++) {
    const cell = cellOf[p]!;
    if (cell < 0) {
      if (cell === EXCLUDED) dropped.excluded++;
      else if (cell === MISSING_REGION) dropped.missingRegion++;
      else if (cell === REGION_NOT_LISTED) dropped.regionNotListed++;
      else dropped.yearNotListed++;
      continue;
    }
    patents[cell]! += 1;
    if (breakthroughs && x.breakthrough![p] === 1) breakthroughs[cell]! += 1;
    if (sumImportance) {
      const v = x.importance![p]!;
      if (!Number.isNaN(v)) sumImportance[cell]! += v;
    }
    if (citations) citations[cell]! += x.citations![p]!;
  }
  return { regions, years, patents, breakthroughs, sumImportance, citations, dropped };
}
