/**
 * Stacked difference-in-differences (METHODS.md §4.3): Cengiz, Dube, Lindner & Zipperer (2019)
 * sub-experiments, optionally with the corrective weights of Wing, Freedman & Hollingsworth (2024).
 *
 * For every adoption cohort a: the sub-experiment holds the cohort-a units ("treated") and the clean
 * controls (never treated, or first treated after a + κ_post), in periods a − κ_pre … a + κ_post
 * (event time e = t − a). A sub-experiment whose window leaves the observed periods, or that has no
 * clean control, is dropped (and reported). The stacked regression is
 *   Y_{s,i,t} = Σ_{e ≠ −1} δ_e·treat_{s,i}·1[e] + X'β + μ_{s,i} + λ_{s,t} + ε   (fe = "stack", Cengiz),
 * or with the WFH tutorial's fixed effects `treat + event_time` (fe = "pooled"), weighted by
 *   Q = 1 (treated),  Q_{a,e} = (N^D_{a,e}/N^D_e)/(N^C_{a,e}/N^C_e) (controls)   (weights = "wfh"),
 * where N^D_{a,e} (N^C_{a,e}) counts treated (control) rows of sub-experiment a at event time e and N_e
 * sums over sub-experiments. With WFH weights δ_e is the "trimmed aggregate ATT": the treated-share
 * weighted mean of the sub-experiments' 2×2 DIDs. SEs (cluster by original unit) are computed by the
 * caller from the returned feols fit.
 */
import { estimationError } from "../core/errors.js";
import { feols, type FeolsFit } from "./feols.js";
import { gatherF, timeCodes, type StaggeredInput } from "./imputation.js";

export interface StackedOptions {
  kPre: number;
  kPost: number;
  weights?: "wfh" | "none";
  fe?: "stack" | "pooled";
  /** static stacked DID: one regressor treat_post = treat·1[e ≥ 0] instead of the event-time terms */
  static?: boolean;
}

export interface SubExperiment {
  cohort: number;
  included: boolean;
  reason?: string;
  /** treated and clean-control units (0 when dropped) */
  n_treated: number;
  n_control: number;
  /** WFH control weight (when constant over event time; else the mean over the sub-experiment's control rows) */
  control_weight?: number;
}

export interface Stack {
  /** original row of each stacked row */
  row: Int32Array;
  /** sub-experiment index (into the included list) */
  sub: Int32Array;
  e: Int32Array;
  treat: Uint8Array;
  weight: Float64Array;
  n: number;
}

export interface StackedFit {
  fit: FeolsFit;
  stack: Stack;
  subExperiments: SubExperiment[];
  /** event times with a coefficient (−κ_pre … κ_post without −1) and their term names `rel::e` */
  eventTimes: number[];
  terms: string[];
}

/** Build the stacked data set (rows, sub-experiment, event time, treat, WFH or unit weights). */
export function buildStack(input: StaggeredInput, o: StackedOptions): { stack: Stack; subExperiments: SubExperiment[] } {
  const { kPre, kPost } = o;
  if (!(Number.isInteger(kPre) && Number.isInteger(kPost) && kPre >= 1 && kPost >= 0))
    throw estimationError(`the stacking window needs κ_pre ≥ 1 (event time −1 is the reference) and κ_post ≥ 0, got ${-kPre}:${kPost}`);
  const n = input.y.length;
  const { time, cohort, unit } = input;
  let tMin = Infinity,
    tMax = -Infinity;
  for (let i = 0; i < n; i++) {
    if (time[i]! < tMin) tMin = time[i]!;
    if (time[i]! > tMax) tMax = time[i]!;
  }
  const cohorts = [...new Set(cohort)].filter((g) => g > 0).sort((a, b) => a - b);
  const subs: SubExperiment[] = [];
  const unitSeen = new Int32Array(input.nUnits);
  // pass 1: which sub-experiments exist, their units and rows
  const rowsOf: number[] = [];
  for (const a of cohorts) {
    const sub: SubExperiment = { cohort: a, included: false, n_treated: 0, n_control: 0 };
    subs.push(sub);
    rowsOf.push(0);
    if (a - kPre < tMin || a + kPost > tMax) {
      sub.reason = `window ${a - kPre}–${a + kPost} leaves the observed periods ${tMin}–${tMax}`;
      continue;
    }
    const mark = subs.length;
    let nTr = 0,
      nCo = 0,
      rows = 0;
    for (let i = 0; i < n; i++) {
      const g = cohort[i]!,
        t = time[i]!;
      if (t < a - kPre || t > a + kPost) continue;
      const isT = g === a;
      if (!isT && !(g === 0 || g > a + kPost)) continue;
      rows++;
      if (unitSeen[unit[i]!] !== mark) {
        unitSeen[unit[i]!] = mark;
        if (isT) nTr++;
        else nCo++;
      }
    }
    sub.n_treated = nTr;
    sub.n_control = nCo;
    if (nTr === 0 || nCo === 0) {
      sub.reason = nTr === 0 ? "no treated rows in the window" : "no clean controls (never treated or treated after the window)";
      continue;
    }
    sub.included = true;
    rowsOf[rowsOf.length - 1] = rows;
  }
  const m = rowsOf.reduce((x, y) => x + y, 0);
  if (m === 0)
    throw estimationError(
      `no sub-experiment fits the window ${-kPre}:${kPost}: ${subs.map((x) => `cohort ${x.cohort}: ${x.reason}`).join("; ") || "no treated cohort"}`,
    );
  // pass 2: fill the stacked rows
  const row = new Int32Array(m),
    subA = new Int32Array(m),
    eA = new Int32Array(m),
    trA = new Uint8Array(m);
  let r = 0,
    s = 0;
  for (const sub of subs) {
    if (!sub.included) continue;
    const a = sub.cohort;
    for (let i = 0; i < n; i++) {
      const g = cohort[i]!,
        t = time[i]!;
      if (t < a - kPre || t > a + kPost) continue;
      const isT = g === a;
      if (!isT && !(g === 0 || g > a + kPost)) continue;
      row[r] = i;
      subA[r] = s;
      eA[r] = t - a;
      trA[r] = isT ? 1 : 0;
      r++;
    }
    s++;
  }
  const stack: Stack = {
    row,
    sub: subA,
    e: eA,
    treat: trA,
    weight: new Float64Array(m).fill(1),
    n: m,
  };
  if ((o.weights ?? "wfh") === "wfh")
    wfhWeights(
      stack,
      subs.filter((x) => x.included),
      kPre,
      kPost,
    );
  return { stack, subExperiments: subs };
}

/**
 * WFH (2024) corrective weights: Q = 1 for treated rows; for control rows of sub-experiment a at event
 * time e, Q = (N^D_{a,e}/N^D_e) / (N^C_{a,e}/N^C_e).
 */
export function wfhWeights(stack: Stack, included: SubExperiment[], kPre: number, kPost: number): void {
  const S = included.length,
    E = kPre + kPost + 1;
  const nD = new Float64Array(S * E),
    nC = new Float64Array(S * E);
  for (let r = 0; r < stack.n; r++) {
    const c = stack.sub[r]! * E + stack.e[r]! + kPre;
    if (stack.treat[r]) nD[c]!++;
    else nC[c]!++;
  }
  const sD = new Float64Array(E),
    sC = new Float64Array(E);
  for (let s = 0; s < S; s++)
    for (let e = 0; e < E; e++) {
      sD[e]! += nD[s * E + e]!;
      sC[e]! += nC[s * E + e]!;
    }
  const sumW = new Float64Array(S),
    cnt = new Float64Array(S);
  for (let r = 0; r < stack.n; r++) {
    if (stack.treat[r]) continue;
    const e = stack.e[r]! + kPre,
      c = stack.sub[r]! * E + e;
    const q = nD[c]! / sD[e]! / (nC[c]! / sC[e]!);
    stack.weight[r] = q;
    sumW[stack.sub[r]!]! += q;
    cnt[stack.sub[r]!]!++;
  }
  included.forEach((x, s) => (x.control_weight = sumW[s]! / cnt[s]!));
}

/**
 * Stack, then fit the stacked event-study regression by feols (weights Q with `weights = "wfh"`); with
 * `static`, the single regressor treat_post = treat·1[e ≥ 0] (pre-window periods of the treated pooled
 * with the reference). An existing stack can be passed to fit both variants on the same rows.
 */
export function stackedFit(input: StaggeredInput, o: StackedOptions, built?: { stack: Stack; subExperiments: SubExperiment[] }): StackedFit {
  const { stack, subExperiments } = built ?? buildStack(input, o);
  const m = stack.n;
  const eventTimes: number[] = [];
  if (!o.static) for (let e = -o.kPre; e <= o.kPost; e++) if (e !== -1) eventTimes.push(e);
  const terms = o.static ? ["treat_post"] : eventTimes.map((e) => `rel::${e}`);
  const x = o.static
    ? [{ name: "treat_post", values: treatPostOf(stack) }]
    : eventTimes.map((e, k) => {
        const v = new Float64Array(m);
        for (let r = 0; r < m; r++) if (stack.treat[r] && stack.e[r] === e) v[r] = 1;
        return { name: terms[k]!, values: v };
      });
  for (const c of input.x ?? []) x.push({ name: c.name, values: gatherF(c.values, stack.row) });
  const y = gatherF(input.y, stack.row);
  const nSub = subExperiments.filter((s) => s.included).length;
  const E = o.kPre + o.kPost + 1;
  let fixedEffects;
  if ((o.fe ?? "stack") === "stack") {
    // codes sub·L + level (feols re-indexes the levels that occur)
    const tc = timeCodes(input.time);
    const nT = tc.levels.length;
    const su = new Int32Array(m),
      st = new Int32Array(m);
    for (let r = 0; r < m; r++) {
      const i = stack.row[r]!,
        s = stack.sub[r]!;
      su[r] = s * input.nUnits + input.unit[i]!;
      st[r] = s * nT + tc.codes[i]!;
    }
    fixedEffects = [
      { name: "sub^unit", codes: su, nLevels: nSub * input.nUnits },
      { name: "sub^time", codes: st, nLevels: nSub * nT },
    ];
  } else {
    fixedEffects = [
      { name: "treat", codes: new Int32Array(stack.treat), nLevels: 2 },
      { name: "event_time", codes: stack.e.map((e) => e + o.kPre), nLevels: E },
    ];
  }
  const weighted = (o.weights ?? "wfh") === "wfh";
  const fit = feols({ y, yName: input.yName ?? "y", x, fixedEffects, ...(weighted ? { weights: stack.weight } : {}) });
  return { fit, stack, subExperiments, eventTimes, terms };
}

function treatPostOf(stack: Stack): Float64Array {
  const v = new Float64Array(stack.n);
  for (let r = 0; r < stack.n; r++) if (stack.treat[r] && stack.e[r]! >= 0) v[r] = 1;
  return v;
}
