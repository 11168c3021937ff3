/**
 * Adapters from the study data to the analyses of src/analyses (each analysis keeps its own input
 * shape; these build it from the prepared StudyData so a block calls an analysis in one line).
 */
import { progressBar } from "../../core/progress.js";
import type { KeytechResult } from "../../core/result.js";
import type { Table, Column } from "../../data/table.js";
import { csAnalysis } from "../../analyses/cs.js";
import { sdidAnalysisParallel } from "../../analyses/sdid.js";
import { sdidEventAnalysis } from "../../analyses/sdid-event.js";
import { placeboAnalysis } from "../../analyses/placebo.js";
import { pathsAnalysis } from "../../analyses/paths.js";
import { sunabAnalysis } from "../../analyses/sunab.js";
import { staggeredFromTable } from "../../analyses/imputation.js";
import { dddAnalysis } from "../../analyses/ddd.js";
import { permuteAnalysis } from "../../analyses/permute.js";
import { baconAnalysis } from "../../analyses/bacon.js";
import type { BlockContext } from "./types.js";
import { column, controls } from "./common.js";

function y(ctx: BlockContext): Float64Array {
  return column(ctx.data, ctx.spec.outcome.column);
}

/** Callaway–Sant'Anna on the study panel (cohort = first approval year, 0 = never). */
export function runCs(
  ctx: BlockContext,
  o: { control: "never" | "notyet"; method: "dr" | "ipw" | "reg"; base: "varying" | "universal"; covariates: boolean; bootstrap: number },
): KeytechResult {
  const d = ctx.data;
  return csAnalysis(
    {
      file: ctx.spec.inputs.panel.file,
      names: { y: ctx.spec.outcome.column, unit: d.unitName, time: d.timeName, cohort: "cohort" },
      y: y(ctx),
      unit: d.unitId,
      time: d.time,
      cohort: d.num.cohort!,
      ...(o.covariates ? { x: controls(ctx) } : {}),
    },
    { control: o.control, method: o.method, base: o.base, bootstrap: o.bootstrap, seed: ctx.seed, inputs: d.inputHashes },
  );
}

/** Synthetic DID on the study panel (staggered adoption: Stata sdid aggregation); replications on all cores, same bits as one thread. */
export function runSdid(
  ctx: BlockContext,
  o: { method: "sdid" | "sc" | "did"; se: "placebo" | "jackknife" | "bootstrap"; reps: number },
): Promise<KeytechResult> {
  const d = ctx.data;
  return sdidAnalysisParallel({
    unit: d.unitId,
    time: d.time,
    y: y(ctx),
    treat: d.num.treat_post!,
    names: { unit: d.unitName, time: d.timeName, y: ctx.spec.outcome.column, treat: "treat_post" },
    file: ctx.spec.inputs.panel.file,
    inputsHash: d.inputHashes,
    method: o.method,
    se: o.se,
    reps: o.reps,
    seed: ctx.seed,
    onProgress: barProgress("sdid " + o.se),
  });
}

/**
 * Synthetic DID by event time (sdid_event's definitions, src/analyses/sdid-event.ts): terms rel::ℓ
 * for ℓ = −pre … post − 1 (placebos before the start) with placebo SEs from `reps` replications.
 */
export function runSdidEvent(ctx: BlockContext, o: { reps: number; pre: number; post: number }): Promise<KeytechResult> {
  const d = ctx.data;
  return sdidEventAnalysis(
    {
      unit: d.unitId,
      time: d.time,
      y: y(ctx),
      treat: d.num.treat_post!,
      names: { unit: d.unitName, time: d.timeName, y: ctx.spec.outcome.column, treat: "treat_post" },
      file: ctx.spec.inputs.panel.file,
      inputsHash: d.inputHashes,
      method: "sdid",
      se: "placebo",
      reps: o.reps,
      seed: ctx.seed,
    },
    { effects: o.post, placebo: o.pre },
  );
}

/**
 * An onProgress(done, total) callback drawing a TTY progress bar with an ETA on stderr (silent in logs
 * and pipes), created on the first call.
 */
function barProgress(label: string): (done: number, total: number) => void {
  let bar: ReturnType<typeof progressBar> | null = null;
  let last = 0;
  return (done, total) => {
    bar ??= progressBar(`  ${label}`, total);
    bar.tick(done - last);
    last = done;
    if (done >= total) bar.done();
  };
}

/** The study panel as a data-layer Table (unit as its integer code). */
function asTable(ctx: BlockContext): Table {
  const d = ctx.data;
  const columns = new Map<string, Column>();
  columns.set(d.unitName, { kind: "num", source: d.unitName, values: Float64Array.from(d.unitCodes) });
  columns.set(d.timeName, { kind: "num", source: d.timeName, values: d.time });
  for (const [k, v] of Object.entries(d.num)) if (k !== d.timeName) columns.set(k, { kind: "num", source: k, values: v });
  return { file: ctx.spec.inputs.panel.file, nrows: d.n, columns, rowNumbers: null };
}

/** Counterfactual pilots (METHODS §11) with the baseline model's controls. */
export function runPlacebo(ctx: BlockContext, o: { reps: number; strata: "none" | "outcome_rank"; pool: "nonpilot" | "all" }): KeytechResult {
  const d = ctx.data;
  return placeboAnalysis(asTable(ctx), {
    y: ctx.spec.outcome.column,
    unit: d.unitName,
    time: d.timeName,
    cohort: "cohort",
    x: ctx.spec.model.controls,
    reps: o.reps,
    seed: ctx.seed,
    strata: o.strata === "outcome_rank" ? "rank" : "none",
    pool: o.pool,
    inputsHash: d.inputHashes,
    onProgress: barProgress("placebo draws"),
  });
}

/** Zhou–Yamamoto path decomposition: A = Treat×Post, year indicators, unit-cluster bootstrap. */
export async function runPaths(ctx: BlockContext, o: { mediators: string[]; model: "bart" | "linear"; boot: number }): Promise<KeytechResult> {
  const d = ctx.data;
  const yv = y(ctx);
  const meds = o.mediators.map((m) => ({ name: m, values: column(d, m) }));
  const xs = controls(ctx);
  // complete cases: measured mediators are missing where a unit-year has no patents or citations
  const keep: number[] = [];
  for (let i = 0; i < d.n; i++) if ([yv, ...meds.map((m) => m.values), ...xs.map((x) => x.values)].every((v) => Number.isFinite(v[i]!))) keep.push(i);
  const sub = (v: Float64Array) => (keep.length === d.n ? v : Float64Array.from(keep, (i) => v[i]!));
  const r = await pathsAnalysis({
    y: { name: ctx.spec.outcome.column, values: sub(yv) },
    treat: { name: "treat_post", values: sub(d.num.treat_post!) },
    mediators: meds.map((m) => ({ name: m.name, values: sub(m.values) })),
    x: xs.map((x) => ({ name: x.name, values: sub(x.values) })),
    time: { name: d.timeName, values: keep.map((i) => d.time[i]!) },
    cluster: { name: d.unitName, values: keep.map((i) => d.unitId[i]!) },
    options: { model: o.model },
    boot: o.boot,
    seed: ctx.seed,
    file: ctx.spec.inputs.panel.file,
    inputsHash: d.inputHashes,
  });
  const left = d.n - keep.length;
  if (left > 0)
    r.warnings = [...(r.warnings ?? []), `${left} of ${d.n} ${d.unitName}-years with a missing outcome, mediator or control left out (complete cases)`];
  return r;
}

/** Sun–Abraham interaction-weighted event study (reference period `ref`). */
export function runSunab(ctx: BlockContext, ref: number): KeytechResult {
  const d = ctx.data;
  return sunabAnalysis({
    y: { name: ctx.spec.outcome.column, values: y(ctx) },
    unit: { name: d.unitName, codes: d.unitCodes, nLevels: d.units.length },
    time: { name: d.timeName, values: d.time },
    cohort: { name: "cohort", values: d.num.cohort! },
    x: controls(ctx),
    refPeriod: ref,
    inputs: d.inputHashes,
  });
}

/** Triple difference with the non-digital pilots as the second treated group (METHODS §4.6). */
export function runDdd(ctx: BlockContext): KeytechResult {
  const d = ctx.data;
  const t = asTable(ctx);
  t.columns.set(d.unitName, { kind: "str", source: d.unitName, values: d.unitId });
  const cols = {
    data: ctx.spec.inputs.panel.file,
    y: ctx.spec.outcome.column,
    unit: d.unitName,
    time: d.timeName,
    cohort: "cohort",
    x: ctx.spec.model.controls,
    extraCohorts: ["nondigital_cohort"],
  };
  return dddAnalysis(staggeredFromTable(t, cols, d.inputHashes), "nondigital_cohort");
}

/** Fisher permutation test of b(low) − b(high) for a unit-level split (1 = high half). */
export function runPermute(ctx: BlockContext, high: Uint8Array, reps: number, level: "unit" | "obs"): KeytechResult {
  const d = ctx.data;
  const t = asTable(ctx);
  t.columns.set("split_high", { kind: "num", source: "split_high", values: Float64Array.from(high) });
  return permuteAnalysis(t, {
    y: ctx.spec.outcome.column,
    unit: d.unitName,
    time: d.timeName,
    cohort: "cohort",
    group: "split_high",
    x: ctx.spec.model.controls,
    reps,
    seed: ctx.seed,
    level,
    inputsHash: d.inputHashes,
  });
}

/** Goodman-Bacon decomposition of the no-controls TWFE coefficient. */
export function runBacon(ctx: BlockContext): KeytechResult {
  const d = ctx.data;
  return baconAnalysis(
    {
      file: ctx.spec.inputs.panel.file,
      names: { y: ctx.spec.outcome.column, unit: d.unitName, time: d.timeName, cohort: "cohort" },
      y: y(ctx),
      unit: d.unitId,
      time: d.time,
      cohort: d.num.cohort!,
    },
    { inputs: d.inputHashes },
  );
}
