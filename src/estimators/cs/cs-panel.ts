/**
 * Long (unit, period) rows → the balanced unit×period matrix layout every staggered-DID estimator here
 * works on: outcome and covariates as n×T Float64Arrays (unit-major, element (i, t) at i·T + t), one
 * cohort, weight and cluster per unit, units sorted by cohort so that each cohort is a contiguous range.
 *
 * Checks (R `did` conventions, METHODS.md §2.1, §15 pitfalls): duplicated (unit, period) keys, missing
 * values, cohort/weight/cluster varying within a unit and unbalanced panels (unless allowed) are refused
 * with the row and column named. An allowed unbalanced panel keeps the same layout with a presence mask. Cohort 0 or empty = never treated; a cohort after the last period is treated as never
 * treated (as `did`), units treated in or before the first period are dropped with a warning.
 */
import { inputError, usageError } from "../../core/errors.js";
import { assertUniqueKeysOf } from "../../data/panel.js";

export interface LongPanelInput {
  /** file name for messages */
  file?: string;
  names: { y: string; unit: string; time: string; cohort: string; weights?: string; cluster?: string };
  y: ArrayLike<number>;
  unit: ArrayLike<string | number>;
  time: ArrayLike<number>;
  /** first treated period; 0 or NaN = never treated */
  cohort: ArrayLike<number>;
  x?: { name: string; values: ArrayLike<number> }[];
  weights?: ArrayLike<number>;
  cluster?: ArrayLike<string | number>;
  /** 1-based file row of each input row (null/absent: row r is file row r + 1) */
  rowNumbers?: Int32Array | null;
}

export interface WidePanel {
  n: number;
  T: number;
  /** sorted distinct period values */
  periods: Float64Array;
  /** original unit ids in panel order */
  unitIds: (string | number)[];
  /** n×T outcome, unit-major */
  y: Float64Array;
  /** covariates, each n×T unit-major */
  x: { name: string; values: Float64Array }[];
  /** per unit: first treated period value, 0 = never */
  cohort: Float64Array;
  /** per unit sampling weight normalised to mean 1, or null (all 1) */
  w: Float64Array | null;
  /** per unit cluster code 0..nClusters−1, or null (cluster = unit) */
  cluster: Int32Array | null;
  nClusters: number;
  clusterName: string | null;
  /** distinct cohort values, ascending, with 0 (never treated) first even if no unit has it */
  cohortValues: Float64Array;
  /** per cohort index: [start, end) unit range in panel order */
  cohortStart: Int32Array;
  cohortEnd: Int32Array;
  /** per unit: index into cohortValues */
  cohortIdx: Int32Array;
  /** n×T: 1 where (unit, period) is observed; null for a balanced panel (every cell observed) */
  present: Uint8Array | null;
  warnings: string[];
  /** rows of the input that became units of the panel (all rows unless units were dropped) */
  nobs: number;
  droppedUnits: number;
}

export interface WidePanelOptions {
  /** `notyet` with no never-treated units: drop periods ≥ last cohort − anticipation and use that cohort as control */
  control?: "never" | "notyet";
  anticipation?: number;
  /** accept unbalanced panels (missing cells flagged in `present`); refused with the list of units otherwise */
  allowUnbalanced?: boolean;
  /** keep the cohorts as given: no always-treated dropping, no recoding (Bacon decomposition) */
  raw?: boolean;
}

/** Build the wide panel; see the module comment for the checks. */
export function buildWidePanel(inp: LongPanelInput, opts: WidePanelOptions = {}): WidePanel {
  const N = inp.y.length;
  const file = inp.file;
  const nm = inp.names;
  const warnings: string[] = [];
  const rn = inp.rowNumbers ?? null;
  const rowOf = (r: number): number => (rn ? rn[r]! : r + 1);
  const anticipation = opts.anticipation ?? 0;
  for (const [col, arr] of [
    [nm.unit, inp.unit],
    [nm.time, inp.time],
    [nm.cohort, inp.cohort],
  ] as const)
    if (arr.length !== N) throw usageError(`column '${col}' has ${arr.length} values, '${nm.y}' has ${N}`);
  // Unit codes by first appearance.
  const unitCode = new Map<string | number, number>();
  const ids: (string | number)[] = [];
  const ucode = new Int32Array(N);
  let prevU: string | number | undefined = undefined;
  let prevC = -1;
  // integer ids in a moderate range: a direct lookup table instead of hashing
  let umin = Number.POSITIVE_INFINITY,
    umax = Number.NEGATIVE_INFINITY;
  let intIds = N > 0;
  for (let r = 0; r < N && intIds; r++) {
    const u = inp.unit[r]!;
    if (typeof u !== "number" || !Number.isInteger(u)) intIds = false;
    else {
      if (u < umin) umin = u;
      if (u > umax) umax = u;
    }
  }
  const table = intIds && umax - umin <= 4 * N + 1024 ? new Int32Array(umax - umin + 1).fill(-1) : null;
  for (let r = 0; table && r < N; r++) {
    const k = (inp.unit[r] as number) - umin;
    let c = table[k]!;
    if (c === -1) {
      c = ids.length;
      table[k] = c;
      ids.push(inp.unit[r]!);
    }
    ucode[r] = c;
  }
  for (let r = 0; !table && r < N; r++) {
    const u = inp.unit[r]!;
    if (u === prevU) {
      // rows of one unit are usually adjacent: skip the hash lookup
      ucode[r] = prevC;
      continue;
    }
    if (u === null || u === undefined || u === "" || (typeof u === "number" && !Number.isFinite(u)))
      throw inputError("missing unit id", { file, row: rowOf(r), column: nm.unit });
    let c = unitCode.get(u);
    if (c === undefined) {
      c = ids.length;
      unitCode.set(u, c);
      ids.push(u);
    }
    ucode[r] = c;
    prevU = u;
    prevC = c;
  }
  const nU = ids.length;
  // Periods.
  let tmin = Number.POSITIVE_INFINITY,
    tmax = Number.NEGATIVE_INFINITY,
    allInt = true;
  for (let r = 0; r < N; r++) {
    const t = inp.time[r]!;
    if (!Number.isFinite(t)) throw inputError("missing or non-numeric period", { file, row: rowOf(r), column: nm.time });
    if (t < tmin) tmin = t;
    if (t > tmax) tmax = t;
    if (allInt && !Number.isInteger(t)) allInt = false;
  }
  let periods: Float64Array;
  if (allInt && tmax - tmin <= 1e6) {
    const present = new Uint8Array(tmax - tmin + 1);
    for (let r = 0; r < N; r++) present[inp.time[r]! - tmin] = 1;
    const ps: number[] = [];
    for (let j = 0; j < present.length; j++) if (present[j]) ps.push(tmin + j);
    periods = Float64Array.from(ps);
  } else {
    const tset = new Set<number>();
    for (let r = 0; r < N; r++) tset.add(inp.time[r]!);
    periods = Float64Array.from([...tset]).sort();
  }
  // The one duplicate (unit, period) check (src/data/panel.ts), over every row read.
  assertUniqueKeysOf({ file, unitName: nm.unit, timeName: nm.time, label: (g) => String(ids[g]), rowOf }, ucode, nU, inp.time);
  // Per-unit cohort / weight / cluster, constant within unit.
  const gU = new Float64Array(nU).fill(Number.NaN);
  const gRow = new Int32Array(nU).fill(-1);
  for (let r = 0; r < N; r++) {
    let g = inp.cohort[r]!;
    if (g === null || g === undefined || Number.isNaN(g)) g = 0;
    if (!Number.isFinite(g) || g < 0)
      throw inputError(`cohort must be a period value ≥ 0 (0 or empty = never treated), got ${g}`, { file, row: rowOf(r), column: nm.cohort });
    const u = ucode[r]!;
    if (gRow[u] === -1) {
      gU[u] = g;
      gRow[u] = r;
    } else if (gU[u] !== g)
      throw inputError(
        `cohort varies within unit '${String(ids[u])}' (${gU[u]} at row ${rowOf(gRow[u]!)}, ${g} here); the cohort must be the unit's first treated period`,
        { file, row: rowOf(r), column: nm.cohort },
      );
  }
  let wU: Float64Array | null = null;
  if (inp.weights) {
    wU = new Float64Array(nU).fill(Number.NaN);
    for (let r = 0; r < N; r++) {
      const v = inp.weights[r]!;
      if (!Number.isFinite(v) || v < 0) throw inputError(`weights must be finite and ≥ 0, got ${v}`, { file, row: rowOf(r), column: nm.weights });
      const u = ucode[r]!;
      if (Number.isNaN(wU[u]!)) wU[u] = v;
      else if (wU[u] !== v)
        throw inputError(`weight varies within unit '${String(ids[u])}'; sampling weights must be constant over time`, {
          file,
          row: rowOf(r),
          column: nm.weights,
        });
    }
  }
  let clU: Int32Array | null = null;
  let nClusters: number;
  if (inp.cluster) {
    const cmap = new Map<string | number, number>();
    clU = new Int32Array(nU).fill(-1);
    for (let r = 0; r < N; r++) {
      const v = inp.cluster[r]!;
      if (v === null || v === undefined || v === "" || (typeof v === "number" && !Number.isFinite(v)))
        throw inputError("missing cluster id", { file, row: rowOf(r), column: nm.cluster });
      let c = cmap.get(v);
      if (c === undefined) {
        c = cmap.size;
        cmap.set(v, c);
      }
      const u = ucode[r]!;
      if (clU[u] === -1) clU[u] = c;
      else if (clU[u] !== c)
        throw inputError(`cluster varies within unit '${String(ids[u])}'; clusters must contain whole units (the unit or a coarser level)`, {
          file,
          row: rowOf(r),
          column: nm.cluster,
        });
    }
  }
  // Cohorts after the last period are never treated within the sample (did: "as if never treated").
  const lastT = periods[periods.length - 1]!;
  const firstT = periods[0]!;
  let recoded = 0;
  for (let u = 0; u < nU && !opts.raw; u++)
    if (gU[u]! > lastT) {
      gU[u] = 0;
      recoded++;
    }
  if (recoded) warnings.push(`${recoded} units first treated after the last period (${lastT}) are treated as never treated`);
  // No never-treated units under not-yet-treated control: the last cohort becomes the control group and
  // periods from (last cohort − anticipation) on are dropped (did's rule, without also dropping that cohort).
  let hasNever = false;
  for (let u = 0; u < nU; u++) if (gU[u] === 0) hasNever = true;
  let keepPeriod: ((t: number) => boolean) | null = null;
  if (!hasNever && !opts.raw) {
    if ((opts.control ?? "never") === "never")
      throw inputError(`no never-treated units (cohort 0 or empty in column '${nm.cohort}'); use the not-yet-treated comparison group (--control notyet)`, {
        file,
        column: nm.cohort,
      });
    let gmax = 0;
    for (let u = 0; u < nU; u++) gmax = Math.max(gmax, gU[u]!);
    const cut = gmax - anticipation;
    keepPeriod = (t) => t < cut;
    for (let u = 0; u < nU; u++) if (gU[u] === gmax) gU[u] = 0;
    periods = periods.filter((t) => t < cut);
    warnings.push(`no never-treated units: cohort ${gmax} serves as the comparison group and periods ≥ ${cut} are dropped`);
    if (periods.length < 2) throw inputError("fewer than two periods remain before the last cohort is treated", { file, column: nm.time });
  }
  // Units treated in or before the first period have no pre-period: dropped (as did).
  const keepUnit = new Uint8Array(nU);
  let droppedUnits = 0;
  // units whose every row falls in dropped periods leave the sample (possible only in unbalanced panels)
  let hasRow: Uint8Array | null = null;
  if (keepPeriod) {
    hasRow = new Uint8Array(nU);
    for (let r = 0; r < N; r++) if (keepPeriod(inp.time[r]!)) hasRow[ucode[r]!] = 1;
  }
  let noRows = 0;
  for (let u = 0; u < nU; u++) {
    if (hasRow && !hasRow[u]) noRows++;
    else if (gU[u]! > 0 && gU[u]! <= firstT && !opts.raw) droppedUnits++;
    else keepUnit[u] = 1;
  }
  if (droppedUnits) warnings.push(`${droppedUnits} units already treated in the first period (${firstT}) were dropped`);
  if (noRows) warnings.push(`${noRows} units observed only in the dropped periods left the sample`);
  // Panel order: by cohort, then first appearance.
  const order: number[] = [];
  for (let u = 0; u < nU; u++) if (keepUnit[u]) order.push(u);
  order.sort((a, b) => gU[a]! - gU[b]! || a - b);
  const n = order.length;
  if (n === 0) throw inputError("no units left after dropping units treated in the first period", { file, column: nm.cohort });
  const pos = new Int32Array(nU).fill(-1);
  order.forEach((u, i) => (pos[u] = i));
  const T = periods.length;
  const tIndex = new Map<number, number>();
  periods.forEach((t, j) => tIndex.set(t, j));
  let tLookup: Int32Array | null = null;
  if (allInt && tmax - tmin <= 1e6) {
    tLookup = new Int32Array(tmax - tmin + 1).fill(-1);
    periods.forEach((t, j) => (tLookup![t - tmin] = j));
  }
  const y = new Float64Array(n * T);
  const seen = new Int32Array(n * T).fill(-1);
  const xs = (inp.x ?? []).map((c) => ({ name: c.name, src: c.values, values: new Float64Array(n * T) }));
  let nobs = 0;
  for (let r = 0; r < N; r++) {
    const i = pos[ucode[r]!]!;
    const t = inp.time[r]!;
    if (keepPeriod && !keepPeriod(t)) continue;
    if (i < 0) continue;
    const j = tLookup ? tLookup[t - tmin]! : tIndex.get(t)!;
    const cell = i * T + j;
    seen[cell] = r;
    const v = inp.y[r]!;
    if (!Number.isFinite(v)) throw inputError("missing or non-numeric outcome", { file, row: rowOf(r), column: nm.y });
    y[cell] = v;
    for (const c of xs) {
      const xv = c.src[r]!;
      if (!Number.isFinite(xv)) throw inputError("missing or non-numeric covariate", { file, row: rowOf(r), column: c.name });
      c.values[cell] = xv;
    }
    nobs++;
  }
  // Balanced?
  const missingUnits: string[] = [];
  let nMissingUnits = 0;
  for (let i = 0; i < n; i++) {
    const miss: number[] = [];
    for (let j = 0; j < T; j++) if (seen[i * T + j] === -1) miss.push(periods[j]!);
    if (miss.length) {
      nMissingUnits++;
      if (missingUnits.length < 5) missingUnits.push(`'${String(ids[order[i]!])}' (missing ${miss.slice(0, 4).join(", ")}${miss.length > 4 ? ", …" : ""})`);
    }
  }
  let present: Uint8Array | null = null;
  if (nMissingUnits) {
    if (!opts.allowUnbalanced)
      throw inputError(
        `unbalanced panel: ${nMissingUnits} of ${n} units lack some periods, e.g. ${missingUnits.join("; ")}. Balance the panel (drop those units or fill the periods), or allow it (--allow-unbalanced)`,
        { file, column: nm.unit },
      );
    present = new Uint8Array(n * T);
    for (let c = 0; c < n * T; c++) present[c] = seen[c] === -1 ? 0 : 1;
  }
  // Per-unit arrays in panel order.
  const cohort = new Float64Array(n);
  for (let i = 0; i < n; i++) cohort[i] = gU[order[i]!]!;
  let w: Float64Array | null = null;
  if (wU) {
    w = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      w[i] = wU[order[i]!]!;
      s += w[i]!;
    }
    if (!(s > 0)) throw inputError("weights sum to zero", { file, column: nm.weights });
    const m = s / n;
    for (let i = 0; i < n; i++) w[i]! /= m;
  }
  let cluster: Int32Array | null = null;
  if (clU) {
    // re-code clusters to the kept units
    const remap = new Map<number, number>();
    cluster = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = clU[order[i]!]!;
      let k = remap.get(c);
      if (k === undefined) {
        k = remap.size;
        remap.set(c, k);
      }
      cluster[i] = k;
    }
    nClusters = remap.size;
  } else nClusters = n;
  const gset = new Set<number>([0]);
  for (let i = 0; i < n; i++) gset.add(cohort[i]!);
  const gvals = [...gset].sort((a, b) => a - b);
  const cohortValues = Float64Array.from(gvals);
  const C = gvals.length;
  const cohortStart = new Int32Array(C);
  const cohortEnd = new Int32Array(C);
  const cohortIdx = new Int32Array(n);
  let ci = 0;
  for (let i = 0; i < n; i++) {
    while (cohortValues[ci] !== cohort[i]) {
      cohortEnd[ci] = i;
      ci++;
      cohortStart[ci] = i;
    }
    cohortIdx[i] = ci;
  }
  cohortEnd[ci] = n;
  for (let c = ci + 1; c < C; c++) {
    cohortStart[c] = n;
    cohortEnd[c] = n;
  }
  return {
    n,
    T,
    periods,
    unitIds: order.map((u) => ids[u]!),
    y,
    x: xs.map((c) => ({ name: c.name, values: c.values })),
    cohort,
    w,
    cluster,
    nClusters,
    clusterName: clU ? (nm.cluster ?? "cluster") : null,
    cohortValues,
    cohortStart,
    cohortEnd,
    cohortIdx,
    present,
    warnings,
    nobs,
    droppedUnits,
  };
}
