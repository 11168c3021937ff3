/**
 * Digital-technology diffusion (METHODS §8, after Acemoglu, Akcigit & Alp 2022; seed paper step 5):
 *   Diffusion_rt = #{citations made by region r's patents filed in t that point to digital-technology
 *                    patents of the same region (or same cluster)} / #{citations made by those patents}
 * (ratio of sums). Denominator `known` (default) counts citations to patents in the table (the only ones
 * whose region and technology are known); `all` also counts citations to unknown ids. Self-citations
 * (the patent itself, or the same applicant) are included by default, excluded with
 * `selfCitations: "exclude"` (from both sums); either way their number is reported. Citations of a patent
 * filed later than the citing one (date, else year) are never counted (neither sum) and are reported.
 * A region-year whose patents make no counted citation gets NaN (not 0). `citations` counts the buckets
 * of the citations made by the patents in the grid (citations.ts): counted = Σ denominators.
 */
import { CITE_COUNTED, CITE_LATER, CITE_SELF, CITE_UNKNOWN, classifyCitation, type CitationCounts, type CitationLinks } from "./citations.js";
import { regionYearGrid } from "./grid.js";

export interface DiffusionInput {
  n: number;
  year: Int32Array;
  /** YYYYMMDD filing dates (0 = none): the later-filed check uses them when both patents have one. */
  date?: Int32Array;
  region: Int32Array;
  regionNames: readonly string[];
  /** 1 = the patent is a digital-technology patent. */
  digital: Uint8Array;
  links: CitationLinks;
  applicant?: Int32Array;
  /** Cluster id of each region index (−1 = none); "same cluster" replaces "same region" when given. */
  clusterOfRegion?: Int32Array;
}

export interface DiffusionOptions {
  selfCitations?: "include" | "exclude";
  denominator?: "known" | "all";
  regions?: readonly string[];
  years?: readonly number[];
}

export interface DiffusionPanel {
  regions: string[];
  years: number[];
  numerator: Float64Array;
  denominator: Float64Array;
  share: Float64Array;
  /** Buckets of the citations made by the grid's patents (counted = Σ denominator). */
  citations: CitationCounts;
}

/** Region × year diffusion shares (see file comment). */
export function diffusion(x: DiffusionInput, o: DiffusionOptions = {}): DiffusionPanel {
  const selfEx = o.selfCitations === "exclude";
  const all = o.denominator === "all";
  const { regions, years, T, cell: cellOf } = regionYearGrid(x, o);
  const num = new Float64Array(regions.length * T);
  const den = new Float64Array(regions.length * T);
  const same = (a: number, b: number): boolean => {
    const ra = x.region[a]!;
    const rb = x.region[b]!;
    if (ra < 0 || rb < 0) return false;
    if (x.clusterOfRegion) {
      const ca = x.clusterOfRegion[ra]!;
      return ca >= 0 && ca === x.clusterOfRegion[rb]!;
    }
    return ra === rb;
  };
  const filed = { year: x.year, date: x.date };
  const c = [0, 0, 0, 0];
  let counted = 0;
  for (let p = 0; p < x.n; p++) {
    const cell = cellOf[p]!;
    if (cell < 0) continue;
    for (let k = x.links.offsets[p]!; k < x.links.offsets[p + 1]!; k++) {
      const q = x.links.target[k]!;
      const kind = classifyCitation(p, q, x.applicant, filed);
      c[kind]!++;
      if (kind === CITE_UNKNOWN) {
        if (all) {
          den[cell]! += 1;
          counted++;
        }
        continue;
      }
      if (kind === CITE_LATER || (selfEx && kind === CITE_SELF)) continue;
      den[cell]! += 1;
      counted++;
      if (x.digital[q] && same(p, q)) num[cell]! += 1;
    }
  }
  const share = num.map((v, i) => (den[i]! > 0 ? v / den[i]! : Number.NaN));
  const citations: CitationCounts = {
    total: c[0]! + c[1]! + c[2]! + c[3]!,
    counted,
    unknown: c[CITE_UNKNOWN]!,
    laterFiled: c[CITE_LATER]!,
    self: c[CITE_SELF]!,
  };
  return { regions, years, numerator: num, denominator: den, share, citations };
}

/**
 * `citationsReceived` (citations.ts) and `diffusion` in one pass over the citations: each citation is
 * classified once, and the cited patent's date, year, applicant and "digital, in this region / cluster" key
 * are read from one packed 16-byte record (one memory access per citation on large tables). The same
 * numbers as the two functions (the measure tests compare them).
 */
export function receivedAndDiffusion(
  x: DiffusionInput,
  o: DiffusionOptions = {},
): { received: Float64Array; receivedCounts: CitationCounts; diffusion: DiffusionPanel } {
  const selfEx = o.selfCitations === "exclude";
  const all = o.denominator === "all";
  const { regions, years, T, cell: cellOf } = regionYearGrid(x, o);
  const n = x.n;
  // Per patent: [date (0 = none), year, applicant (−1 = none), digital ? group : −1]; group = region, or its
  // cluster when clusters are given (−1 = none): "same region / cluster" is group_p ≥ 0 and group_p = group_q.
  const rec = new Int32Array(4 * n);
  const group = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const r = x.region[p]!;
    const g = r < 0 ? -1 : x.clusterOfRegion ? x.clusterOfRegion[r]! : r;
    group[p] = g;
    rec[4 * p] = x.date ? x.date[p]! : 0;
    rec[4 * p + 1] = x.year[p]!;
    rec[4 * p + 2] = x.applicant ? x.applicant[p]! : -1;
    rec[4 * p + 3] = x.digital[p] ? g : -1;
  }
  const hasDate = x.date !== undefined;
  const received = new Float64Array(n);
  const rc = [0, 0, 0, 0];
  const num = new Float64Array(regions.length * T);
  const den = new Float64Array(regions.length * T);
  const c = [0, 0, 0, 0];
  let counted = 0;
  const off = x.links.offsets;
  const tgt = x.links.target;
  for (let p = 0; p < n; p++) {
    const cell = cellOf[p]!;
    const dp = rec[4 * p]!;
    const yp = rec[4 * p + 1]!;
    const ap = rec[4 * p + 2]!;
    const gp = group[p]!;
    for (let k = off[p]!; k < off[p + 1]!; k++) {
      const q = tgt[k]!;
      let kind: number;
      if (q < 0) kind = CITE_UNKNOWN;
      else {
        const dq = rec[4 * q]!;
        const later = hasDate && dp > 0 && dq > 0 ? dq > dp : rec[4 * q + 1]! > yp;
        if (later) kind = CITE_LATER;
        else if (q === p || (ap >= 0 && ap === rec[4 * q + 2]!)) kind = CITE_SELF;
        else kind = CITE_COUNTED;
      }
      rc[kind]!++;
      if (kind === CITE_COUNTED) received[q]! += 1;
      if (cell < 0) continue;
      c[kind]!++;
      if (kind === CITE_UNKNOWN) {
        if (all) {
          den[cell]! += 1;
          counted++;
        }
        continue;
      }
      if (kind === CITE_LATER || (selfEx && kind === CITE_SELF)) continue;
      den[cell]! += 1;
      counted++;
      if (gp >= 0 && rec[4 * q + 3]! === gp) num[cell]! += 1;
    }
  }
  const share = num.map((v, i) => (den[i]! > 0 ? v / den[i]! : Number.NaN));
  const citations: CitationCounts = {
    total: c[0]! + c[1]! + c[2]! + c[3]!,
    counted,
    unknown: c[CITE_UNKNOWN]!,
    laterFiled: c[CITE_LATER]!,
    self: c[CITE_SELF]!,
  };
  const receivedCounts: CitationCounts = {
    total: rc[0]! + rc[1]! + rc[2]! + rc[3]!,
    counted: rc[CITE_COUNTED]!,
    unknown: rc[CITE_UNKNOWN]!,
    laterFiled: rc[CITE_LATER]!,
    self: rc[CITE_SELF]!,
  };
  return { received, receivedCounts, diffusion: { regions, years, numerator: num, denominator: den, share, citations } };
}
