/**
 * `keytech did event`: TWFE event study in relative time (seed paper eq. 4, METHODS §4.1):
 * `y ~ Σ_{l ∉ ref} τ_l·1[t − G_i = l]·1[G_i > 0] + x | unit + time`, clustered by unit, with the joint
 * Wald test of the leads (l < 0, l ∉ ref). Never-treated units get no dummy (fixest's rel = −1000 with
 * `ref = c(−1, −1000)`). Without a window every relative period in the data gets a term (fixest `i()`);
 * with `--window a:b` the endpoints are binned (l = a absorbs l ≤ a, l = b absorbs l ≥ b), trimmed
 * (treated rows outside [a, b] dropped) or left without a dummy (`none`).
 */
import { usageError } from "../core/errors.js";
import type { KeytechResult } from "../core/result.js";
import { numeric, selectRows, type Table } from "../data/table.js";
import type { DesignColumn } from "../formula/design.js";
import { waldTest } from "../inference/wald.js";
import { fitDesign, regressionResult, wildBlock, type SampleLog } from "./model-input.js";
import { buildDidDesign, type DidColumns } from "./did-prep.js";
import { optionsRecord } from "./feols.js";

export type Endpoints = "bin" | "trim" | "none";

export interface EventOptions extends DidColumns {
  /** [first, last] relative period kept as separate terms */
  window?: [number, number];
  /** reference period(s), default [−1] */
  ref?: number[];
  /** outside-window convention (default bin when a window is given) */
  endpoints?: Endpoints;
}

/** Parse "-4:5" into [−4, 5]. */
export function parseWindow(s: string): [number, number] {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(s);
  if (!m) throw usageError(`--window must be FIRST:LAST relative periods, e.g. -4:5; got '${s}'`);
  const a = Number(m[1]),
    b = Number(m[2]);
  if (a > b) throw usageError(`--window ${s}: the first period must not exceed the last`);
  return [a, b];
}

/** Relative time t − G for treated rows (G > 0), NaN for never-treated rows. */
export function relativeTime(cohort: Float64Array, time: Float64Array): Float64Array {
  const r = new Float64Array(time.length);
  for (let i = 0; i < r.length; i++) r[i] = cohort[i]! > 0 ? time[i]! - cohort[i]! : Number.NaN;
  return r;
}

/**
 * An event dummy with its rows of ones (ascending), which lets feols skip passes over the dense column.
 * `values` is an accessor: the dense 0/1 column (n rows) is built on first read, so feols's dummy-cell fast
 * path never allocates it.
 */
export interface EventDummy extends DesignColumn {
  ones: Int32Array;
  n: number;
  owned?: boolean;
}

/** A dummy whose dense column is materialised from `ones` on first read of `values` (and may be assigned). */
function lazyDummy(name: string, n: number, ones: Int32Array): EventDummy {
  let dense: Float64Array | null = null;
  const d = { name, ones, n } as EventDummy;
  Object.defineProperty(d, "values", {
    enumerable: true,
    configurable: true,
    get(): Float64Array {
      if (!dense) {
        dense = new Float64Array(n);
        for (let p = 0; p < ones.length; p++) dense[ones[p]!] = 1;
      }
      return dense;
    },
    set(v: Float64Array) {
      dense = v;
    },
  });
  return d;
}

/**
 * Event dummies named `rel::K`, one per relative period observed (after binning), except the reference
 * periods. Returns the dummy columns in increasing K. Two passes over the rows (count, then fill the rows of
 * ones) and no dense column until one is read: fresh memory is the expensive part at millions of rows.
 */
export function eventDummies(rel: Float64Array, ref: number[], window: [number, number] | null, endpoints: Endpoints): EventDummy[] {
  const n = rel.length;
  const bin = window !== null && endpoints === "bin";
  const w0 = window ? window[0] : -Infinity,
    w1 = window ? window[1] : Infinity;
  // effective relative period of row i, NaN when it gets no dummy
  const eff = (r: number): number => (Number.isNaN(r) ? r : bin ? (r < w0 ? w0 : r > w1 ? w1 : r) : r < w0 || r > w1 ? Number.NaN : r);
  // relative periods are integers in a small range: a count table instead of per-row hashing
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = eff(rel[i]!);
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  if (lo > hi) return [];
  const count = new Int32Array(hi - lo + 1);
  for (let i = 0; i < n; i++) {
    const r = eff(rel[i]!);
    if (!Number.isNaN(r)) count[r - lo]!++;
  }
  const index = new Int32Array(hi - lo + 1).fill(-1);
  const cols: EventDummy[] = [];
  for (let v = lo; v <= hi; v++) {
    if (count[v - lo] === 0 || ref.includes(v)) continue;
    index[v - lo] = cols.length;
    cols.push(lazyDummy(`rel::${v}`, n, new Int32Array(count[v - lo]!)));
  }
  const fill = new Int32Array(cols.length);
  for (let i = 0; i < n; i++) {
    const r = eff(rel[i]!);
    if (Number.isNaN(r)) continue;
    const j = index[r - lo]!;
    if (j < 0) continue;
    cols[j]!.ones[fill[j]!++] = i;
  }
  return cols;
}

export async function eventAnalysis(o: EventOptions): Promise<KeytechResult> {
  const ref = o.ref ?? [-1];
  const window = o.window ?? null;
  if (o.endpoints && !window) throw usageError("--endpoints/--bin need --window FIRST:LAST");
  const endpoints: Endpoints = o.endpoints ?? "bin";
  if (window) for (const r of ref) if (r < window[0] || r > window[1]) throw usageError(`--ref ${r} is outside --window ${window[0]}:${window[1]}`);

  const trimWindow = (t: Table, log: SampleLog): Table => {
    if (!window || endpoints !== "trim") return t;
    const rel = relativeTime(numeric(t, o.cohort), numeric(t, o.time));
    const keep = new Int32Array(rel.length);
    let m = 0;
    for (let i = 0; i < rel.length; i++) if (Number.isNaN(rel[i]!) || (rel[i]! >= window[0] && rel[i]! <= window[1])) keep[m++] = i;
    log.outside_window = t.nrows - m;
    return selectRows(t, keep.subarray(0, m));
  };
  const { design, spec, log, hash } = await buildDidDesign(
    o,
    (t) => {
      const dummies = eventDummies(relativeTime(numeric(t, o.cohort), numeric(t, o.time)), ref, window, endpoints);
      if (dummies.length === 0) throw usageError("no relative period is left to estimate (every treated period is a reference period)");
      return dummies;
    },
    trimWindow,
  );
  // the dummies are built here and not used after the fit (unless bootstrapped): feols may demean them in place
  if (!o.bootstrap) for (const c of design.x) if ((c as EventDummy).ones) (c as EventDummy).owned = true;
  const bundle = fitDesign(design, spec, o);
  if (o.bootstrap && !o.bootstrap.term) throw usageError("--bootstrap wild on did event needs --boot-term rel::K (the coefficient to test)");
  const boot = o.bootstrap ? wildBlock(design, o.bootstrap.term!, spec, o) : null;
  const leads = bundle.fit.coefNames.filter((n) => n.startsWith("rel::") && Number(n.slice(5)) < 0 && !ref.includes(Number(n.slice(5))));
  let pretrend: Record<string, unknown> | null = null;
  if (leads.length > 0) {
    const w = waldTest(bundle.fit, bundle.vc, leads);
    pretrend = { terms: leads, stat: w.stat, p: w.p_value, df1: w.df1, df2: w.df2, chi2: w.chi2 };
  }
  const controls = o.x ?? [];
  return regressionResult({
    command: "did event",
    bundle,
    log,
    file: o.data,
    hash: await hash,
    options: optionsRecord({ ...o, preloaded: undefined, ref, endpoints: window ? endpoints : undefined }),
    model: {
      depvar: o.y,
      formula: `${o.y} ~ i(rel, ref = c(${ref.join(", ")}))${controls.map((c) => " + " + c).join("")} | ${o.unit} + ${o.time}`,
      fixed_effects: [o.unit, o.time],
      controls,
      window: window ? { first: window[0], last: window[1], endpoints } : null,
    },
    extra: { pretrend_wald: pretrend, ...(boot ? { bootstrap: boot } : {}) },
    ...(boot ? { seed: o.bootstrap!.seed } : {}),
  });
}
