/**
 * Co-specialisation of regions (METHODS §7, after Di Clemente, Lengyel, Andersson & Eriksson 2022).
 * For year t (or the rolling window t−w+1..t), with X_rc = Σ over region r's patents of the share of
 * the patent's codes in field c (TF shares; = 1/#fields without repeated fields):
 *   RCA_rc = (X_rc / Σ_c' X_rc') / (Σ_r' X_r'c / Σ_r'c' X_r'c')            (Balassa)
 *   m_rc   = 1[RCA_rc ≥ θ] (binarised, default θ = 1)  or  m_rc = RCA_rc (unbinarised variant)
 *   φ_rs   = Σ_c m_rc m_sc / max(Σ_c m_rc², Σ_c m_sc²)
 * Binarised, Σ_c m_rc² = k_r (the region's number of specialisations) and Σ_c m_rc m_sc = C_rs (shared
 * specialisations), so φ_rs = C_rs / max(k_r, k_s): Hidalgo et al.'s minimum-conditional-probability
 * proximity applied to regions, which is the pairwise co-specialisation of the model paper's binary RCA
 * network. Unbinarised, φ stays in [0, 1] (Cauchy–Schwarz) and reduces to the binarised formula when m
 * is 0/1. Region-year index: Cospec_rt = mean of φ_rs over the other regions s of r's cluster (all other
 * regions when no cluster mapping is given) with a defined φ; NaN when r has no specialisation (or no
 * patents) in the window, or no peer has one. The reference universe for the RCA denominators is the
 * set of regions in the input.
 *
 * Link validation (option, binarised only; METHODS §7 step 4): for peer regions r, s with k_r, k_s > 0
 * in year t, the null draws each region's specialisations at random among the F_t fields that have any
 * patent mass in the window, so the overlap X ~ Hypergeom(F_t, k_r, k_s) and p_rs = P(X ≥ C_rs) (exact
 * tail, hypergeom.ts). Signed: p_rs = min(1, 2·min(P(X ≥ C), P(X ≤ C))), the link being over-represented
 * (co-specialisation) when P(X ≥ C) ≤ P(X ≤ C), else under-represented (divergence). Bonferroni or
 * Benjamini–Hochberg at level α over the pairs tested in the year (or no correction). Region-year counts:
 * `links` = validated co-specialisation links of r, `divergingLinks` = validated divergences (signed);
 * NaN when k_r = 0. `indexKind: "links"` makes the number of validated links the index.
 */

import { regionYearGrid } from "./grid.js";
import { hypergeomLower, hypergeomUpper, significant, type Correction } from "./hypergeom.js";

export interface CospecInput {
  n: number;
  year: Int32Array;
  region: Int32Array;
  regionNames: readonly string[];
  /** Fields of each patent (CSR): field ids with counts (e.g. terms of a TermCorpus at level subclass). */
  offsets: Int32Array;
  fieldIds: Int32Array;
  fieldCounts: Float64Array;
  nFields: number;
  /** Cluster id per region index (−1 = none: such a region has no peers when clusters are used). */
  clusterOfRegion?: Int32Array;
}

export interface CospecOptions {
  binarise?: boolean;
  threshold?: number;
  /** Rolling window length in years (default 1). */
  window?: number;
  regions?: readonly string[];
  years?: readonly number[];
  /** Hypergeometric validation of region–region links (binarised RCA only); see file comment. */
  validate?: LinkValidation;
  /** Region-year index: mean φ over peers (default) or the number of validated links. */
  indexKind?: "phi" | "links";
}

export interface LinkValidation {
  /** Family-wise (Bonferroni) or false-discovery (BH) control over the tested pairs of a year, or none. */
  correction: Correction;
  /** Level (default 0.05). */
  alpha?: number;
  /** Test both tails: significant co-specialisation (over-represented overlap) and divergence (under-represented). */
  signed?: boolean;
}

export interface CospecPanel {
  regions: string[];
  years: number[];
  /** Co-specialisation index, row-major (region, year). */
  index: Float64Array;
  /** Number of fields with RCA ≥ θ. */
  degree: Float64Array;
  /** Patents in the window. */
  patents: Float64Array;
  /** With validation: number of validated (over-represented) links of the region (NaN when k_r = 0). */
  links?: Float64Array;
  /** With signed validation: number of validated diverging (under-represented) links. */
  divergingLinks?: Float64Array;
  /** With validation: pairs tested per year. */
  testedPairs?: number[];
}

/** RCA matrix (rows = regions, cols = fields) from an X matrix; rows with no mass are NaN. */
export function balassa(X: Float64Array, R: number, F: number): Float64Array {
  const rowSum = new Float64Array(R);
  const colSum = new Float64Array(F);
  let total = 0;
  for (let r = 0; r < R; r++)
    for (let c = 0; c < F; c++) {
      const v = X[r * F + c]!;
      rowSum[r]! += v;
      colSum[c]! += v;
      total += v;
    }
  const out = new Float64Array(R * F);
  for (let r = 0; r < R; r++)
    for (let c = 0; c < F; c++) {
      const share = rowSum[r]! > 0 ? X[r * F + c]! / rowSum[r]! : Number.NaN;
      out[r * F + c] = colSum[c]! > 0 ? share / (colSum[c]! / total) : rowSum[r]! > 0 ? 0 : Number.NaN;
    }
  return out;
}

/** Region × year co-specialisation index (see file comment). */
export function cospecialisation(x: CospecInput, o: CospecOptions = {}): CospecPanel {
  const binarise = o.binarise ?? true;
  const theta = o.threshold ?? 1;
  const w = o.window ?? 1;
  const val = o.validate;
  if (val && !binarise) throw new RangeError("link validation needs binarised RCA (the hypergeometric null counts shared specialisations)");
  if (o.indexKind === "links" && !val) throw new RangeError("the 'links' index needs link validation (validate: {correction, alpha})");
  const alpha = val?.alpha ?? 0.05;
  if (val && !(alpha > 0 && alpha < 1)) throw new RangeError(`validation level must be in (0, 1), got ${alpha}`);
  const { regions, years, regionRow } = regionYearGrid(x, o);
  const R = regions.length;
  const F = x.nFields;
  const T = years.length;
  const rowOf = new Map(regions.map((r, i) => [r, i]));
  const cluster = new Int32Array(R).fill(0);
  if (x.clusterOfRegion) {
    cluster.fill(-1);
    x.regionNames.forEach((nm, i) => {
      const r = rowOf.get(nm);
      if (r !== undefined) cluster[r] = x.clusterOfRegion![i]!;
    });
  }
  const index = new Float64Array(R * T).fill(Number.NaN);
  const degree = new Float64Array(R * T);
  const patents = new Float64Array(R * T);
  const links = val ? new Float64Array(R * T).fill(Number.NaN) : undefined;
  const divergingLinks = val?.signed ? new Float64Array(R * T).fill(Number.NaN) : undefined;
  const testedPairs: number[] = [];
  // Patents by year for the windows.
  const byYear = new Map<number, number[]>();
  for (let p = 0; p < x.n; p++) {
    const r = x.region[p]! >= 0 ? regionRow[x.region[p]!]! : -1;
    if (r < 0) continue;
    let l = byYear.get(x.year[p]!);
    if (!l) byYear.set(x.year[p]!, (l = []));
    l.push(p);
  }
  for (let t = 0; t < T; t++) {
    const X = new Float64Array(R * F);
    for (let y = years[t]! - w + 1; y <= years[t]!; y++) {
      for (const p of byYear.get(y) ?? []) {
        const r = regionRow[x.region[p]!]!;
        let tot = 0;
        for (let k = x.offsets[p]!; k < x.offsets[p + 1]!; k++) tot += x.fieldCounts[k]!;
        for (let k = x.offsets[p]!; k < x.offsets[p + 1]!; k++) X[r * F + x.fieldIds[k]!]! += x.fieldCounts[k]! / tot;
        patents[r * T + t]! += 1;
      }
    }
    const rca = balassa(X, R, F);
    const m = new Float64Array(R * F);
    const sq = new Float64Array(R);
    const has = new Uint8Array(R);
    for (let r = 0; r < R; r++) {
      let k = 0;
      let s2 = 0;
      for (let c = 0; c < F; c++) {
        const v = rca[r * F + c]!;
        if (Number.isNaN(v)) continue;
        if (v >= theta) k++;
        const mv = binarise ? (v >= theta ? 1 : 0) : v;
        m[r * F + c] = mv;
        s2 += mv * mv;
      }
      degree[r * T + t] = k;
      sq[r] = s2;
      has[r] = s2 > 0 ? 1 : 0;
    }
    // Shared mass Σ_c m_rc m_sc for peer pairs, accumulated field by field over the nonzero entries.
    const nz: number[][] = Array.from({ length: F }, () => []);
    for (let r = 0; r < R; r++) if (has[r]) for (let c = 0; c < F; c++) if (m[r * F + c]! !== 0) nz[c]!.push(r);
    const shared = new Float64Array(R * R);
    for (let c = 0; c < F; c++) {
      const l = nz[c]!;
      for (let i = 0; i < l.length; i++)
        for (let j = i + 1; j < l.length; j++) {
          const a = l[i]!;
          const b = l[j]!;
          if (cluster[a]! < 0 || cluster[a] !== cluster[b]) continue;
          const v = m[a * F + c]! * m[b * F + c]!;
          shared[a * R + b]! += v;
          shared[b * R + a]! += v;
        }
    }
    if (val) {
      // F_t = fields with any patent mass in the window (the fields a region could specialise in).
      let Ft = 0;
      for (let c = 0; c < F; c++) {
        let any = false;
        for (let r = 0; r < R && !any; r++) any = rca[r * F + c]! > 0;
        if (any) Ft++;
      }
      const pr: number[] = [];
      const ps: number[] = [];
      const pv: number[] = [];
      const dir: number[] = [];
      for (let r = 0; r < R; r++) {
        if (!has[r] || cluster[r]! < 0) continue;
        for (let s2 = r + 1; s2 < R; s2++) {
          if (!has[s2] || cluster[s2] !== cluster[r]) continue;
          const C = shared[r * R + s2]!;
          const kr = degree[r * T + t]!;
          const ks = degree[s2 * T + t]!;
          const up = hypergeomUpper(Ft, kr, ks, C);
          if (val.signed) {
            const lo = hypergeomLower(Ft, kr, ks, C);
            pv.push(Math.min(1, 2 * Math.min(up, lo)));
            dir.push(up <= lo ? 1 : -1);
          } else {
            pv.push(up);
            dir.push(1);
          }
          pr.push(r);
          ps.push(s2);
        }
      }
      testedPairs.push(pv.length);
      const sig = significant(pv, alpha, val.correction);
      for (let r = 0; r < R; r++)
        if (has[r] && cluster[r]! >= 0) {
          links![r * T + t] = 0;
          if (divergingLinks) divergingLinks[r * T + t] = 0;
        }
      for (let i = 0; i < pv.length; i++) {
        if (!sig[i]) continue;
        const arr = dir[i]! > 0 ? links! : divergingLinks!;
        arr[pr[i]! * T + t]! += 1;
        arr[ps[i]! * T + t]! += 1;
      }
    }
    for (let r = 0; r < R; r++) {
      if (!has[r] || cluster[r]! < 0) continue;
      let sum = 0;
      let cnt = 0;
      for (let s = 0; s < R; s++) {
        if (s === r || !has[s] || cluster[s] !== cluster[r]) continue;
        sum += shared[r * R + s]! / Math.max(sq[r]!, sq[s]!);
        cnt++;
      }
      if (cnt > 0) index[r * T + t] = sum / cnt;
    }
  }
  if (o.indexKind === "links") index.set(links!);
  return { regions, years, index, degree, patents, ...(val ? { links, divergingLinks, testedPairs } : {}) };
}
