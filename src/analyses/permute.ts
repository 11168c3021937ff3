/**
 * `keytech did permute`: Fisher permutation test of the difference between the TWFE DID coefficient
 * (y ~ treat_post + x | unit + period) estimated on two subsamples (group 0 and group 1), with Stata
 * bdiff semantics (METHODS.md §10). `--level obs` permutes observations as bdiff does with reghdfe;
 * `--level unit` permutes whole units (recommended for panels).
 */
import { estimationError, inputError } from "../core/errors.js";
import { makeResult, type KeytechResult } from "../core/result.js";
import { Rng } from "../core/rng.js";
import { cellText, cohortValue, didPanelFromTable, factorizeNumbers, fileRow, getColumn, numeric, type Table } from "../data/index.js";
import { feols } from "../estimators/feols.js";
import { permutationTest, summarizeDraws } from "../inference/permutation.js";

export interface PermuteAnalysisInput {
  y: string;
  unit: string;
  time: string;
  cohort?: string;
  treat?: string;
  group: string;
  x?: string[];
  reps?: number;
  seed?: number;
  level?: "obs" | "unit";
  inputsHash?: Record<string, string>;
  onProgress?: (done: number, total: number) => void;
}

export function permuteAnalysis(table: Table, a: PermuteAnalysisInput): KeytechResult {
  const reps = a.reps ?? 1000;
  const seed = a.seed ?? 1;
  const level = a.level ?? "unit";
  const xs = a.x ?? [];
  if ((a.cohort === undefined) === (a.treat === undefined)) throw estimationError("give exactly one of --cohort and --treat");
  const p = didPanelFromTable(
    table,
    {},
    {
      file: table.file,
      y: a.y,
      unit: a.unit,
      time: a.time,
      cohort: a.cohort,
      treat: a.treat,
      x: xs,
      numbers: [a.group],
      dropMissing: [a.y, a.unit, a.time, a.group, ...xs, ...(a.treat ? [a.treat] : [])],
      validate: true,
    },
  );
  const t = p.table!,
    panel = p.groups!;
  const n = t.nrows;
  const time = numeric(t, a.time);
  const d = new Float64Array(n);
  if (a.cohort) {
    const coh = numeric(t, a.cohort);
    for (let r = 0; r < n; r++) {
      const c = cohortValue(coh[r]!);
      d[r] = c > 0 && time[r]! >= c ? 1 : 0;
    }
  } else d.set(numeric(t, a.treat!));
  const gcol = getColumn(t, a.group);
  const g = numeric(t, a.group);
  for (let r = 0; r < n; r++) {
    if (g[r] !== 0 && g[r] !== 1)
      throw inputError(`group must be 0 or 1, found ${cellText(gcol, r)}`, { file: t.file, row: fileRow(t, r), column: gcol.source });
  }
  const ucodes = panel.unit.codes;
  const tF = factorizeNumbers(time);
  const y = numeric(t, a.y);
  const X = xs.map((nm) => numeric(t, nm));

  // permutation units
  let units: Int32Array[];
  let group: Uint8Array;
  if (level === "obs") {
    units = Array.from({ length: n }, (_, r) => Int32Array.of(r));
    group = Uint8Array.from(g);
  } else {
    const G = panel.nUnits;
    units = [];
    group = new Uint8Array(G);
    for (let u = 0; u < G; u++) {
      const rows = panel.order.slice(panel.start[u]!, panel.start[u + 1]!).sort();
      const g0 = g[rows[0]!]!;
      for (const r of rows) {
        if (g[r] !== g0)
          throw inputError(`group is not constant within unit ${cellText(getColumn(t, a.unit), r)} (use --level obs to permute observations)`, {
            file: t.file,
            row: fileRow(t, r),
            column: gcol.source,
          });
      }
      units.push(rows);
      group[u] = g0;
    }
  }

  const estimate = (rows: Int32Array): number => {
    const m = rows.length;
    const sub = (v: Float64Array) => {
      const o = new Float64Array(m);
      for (let k = 0; k < m; k++) o[k] = v[rows[k]!]!;
      return o;
    };
    const uc = new Int32Array(m);
    const tc = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      uc[k] = ucodes[rows[k]!]!;
      tc[k] = tF.codes[rows[k]!]!;
    }
    try {
      const fit = feols({
        y: sub(y),
        yName: a.y,
        x: [{ name: "treat_post", values: sub(d) }, ...X.map((v, j) => ({ name: xs[j]!, values: sub(v) }))],
        fixedEffects: [
          { name: a.unit, codes: uc, nLevels: panel.nUnits },
          { name: a.time, codes: tc, nLevels: tF.nLevels },
        ],
      });
      const k = fit.coefNames.indexOf("treat_post");
      return k >= 0 ? fit.coef[k]! : Number.NaN;
    } catch {
      return Number.NaN;
    }
  };
  const res = permutationTest(
    { units, group, estimate, replications: reps, ...(a.onProgress ? { onProgress: (k: number) => a.onProgress!(k, reps) } : {}) },
    new Rng(seed),
  );
  const s = summarizeDraws(res.draws);
  const warnings: string[] = [];
  if (res.valid < reps)
    warnings.push(`${reps - res.valid} replications could not estimate treat_post in one half (no treatment variation) and were left out of Freq and q`);
  const na = { std_error: null, statistic: null, conf_low: null, conf_high: null };
  const out: KeytechResult = makeResult({
    command: "did permute",
    headline: { term: "diff:treat_post", label: "difference of the TWFE DID coefficient between the groups" },
    estimates: [
      { term: "diff:treat_post", estimate: res.d0, ...na, p_value: res.pTwoSided, p_value_bdiff: res.pBdiff },
      { term: "group0:treat_post", estimate: res.b0, ...na, p_value: null },
      { term: "group1:treat_post", estimate: res.b1, ...na, p_value: null },
    ],
    nobs: n,
    dropped: { singletons: 0, missing: p.dropped.rows, collinear: [] },
    permutation: {
      replications: reps,
      valid: res.valid,
      level,
      model: `feols ${a.y} ~ treat_post${xs.length ? " + " + xs.join(" + ") : ""} | ${a.unit} + ${a.time}, separately on each group`,
      observed_difference: res.d0,
      freq: res.freq,
      q: res.q,
      p_bdiff: res.pBdiff,
      p_two_sided: res.pTwoSided,
      n_group0: res.n0Units,
      n_group1: res.n1Units,
      mean: s.mean,
      sd: s.sd,
      quantiles: s.quantiles,
      draws: Array.from(res.draws),
    },
    provenance: {
      seed,
      inputs: a.inputsHash ?? {},
      options: { y: a.y, unit: a.unit, time: a.time, cohort: a.cohort ?? null, treat: a.treat ?? null, group: a.group, x: xs, reps, level },
    },
  });
  if (warnings.length) out.warnings = warnings;
  return out;
}
