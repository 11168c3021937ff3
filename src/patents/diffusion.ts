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
import { CITE_LATER, CITE_SELF, CITE_UNKNOWN, classifyCitation, type CitationCounts, type CitationLinks } from "./citations.js";
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
  const citations: CitationCounts = { total: c[0]! + c[1]! + c[2]! + c[3]!, counted, unknown: c[CITE_UNKNOWN]!, laterFiled: c[CITE_LATER]!, self: c[CITE_SELF]! };
  return { regions, years, numerator: num, denominator: den, share, citations };
}
