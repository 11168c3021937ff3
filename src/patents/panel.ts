/**
 * Region × year outcome panel: for every (region, year) of the given lists — explicit zeros where a
 * region has no patent that year — the count of patents, of breakthrough patents, the sum of imp^H
 * (missing importance adds nothing) and the citations received excluding self-citations. Patents whose
 * region or year is not in the lists, or whose region is missing, are counted and reported, not kept.
 */

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
  let regions: string[];
  if (o.regions) regions = [...o.regions];
  else {
    const seen = new Set<number>();
    for (let p = 0; p < x.n; p++) if (x.region[p]! >= 0 && (!x.include || x.include[p])) seen.add(x.region[p]!);
    regions = [...seen].map((i) => x.regionNames[i]!).sort();
  }
  let years: number[];
  if (o.years) years = [...o.years];
  else {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < x.n; p++) {
      if (x.include && !x.include[p]) continue;
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
  const size = regions.length * T;
  const patents = new Float64Array(size);
  const breakthroughs = x.breakthrough ? new Float64Array(size) : undefined;
  const sumImportance = x.importance ? new Float64Array(size) : undefined;
  const citations = x.citations ? new Float64Array(size) : undefined;
  const dropped = { missingRegion: 0, regionNotListed: 0, yearNotListed: 0, excluded: 0 };
  for (let p = 0; p < x.n; p++) {
    if (x.include && !x.include[p]) {
      dropped.excluded++;
      continue;
    }
    const ri = x.region[p]!;
    if (ri < 0) {
      dropped.missingRegion++;
      continue;
    }
    const r = regionRow[ri]!;
    if (r < 0) {
      dropped.regionNotListed++;
      continue;
    }
    const t = colOf.get(x.year[p]!);
    if (t === undefined) {
      dropped.yearNotListed++;
      continue;
    }
    const cell = r * T + t;
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
