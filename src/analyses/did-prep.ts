/**
 * The panel preparation shared by `did twfe` and `did event`: read the columns, drop rows without unit
 * or time (counted), validate the panel (integer time, unique (unit, time), constant cohort), lead the
 * outcome if asked, drop rows with other missing values (counted), and apply --winsor / --trim.
 */
import { inputError } from "../core/errors.js";
import { didPanelFromTable, didPanelRequests, type DidPanelSpec } from "../data/panel.js";
import { numeric, type Table } from "../data/table.js";
import { fixedEffectFactor, type Design, type DesignColumn } from "../formula/design.js";
import type { VcovSpec } from "../inference/vcov.js";
import { checkWeights, dropMissingInto, leadOutcome, outcomeVariants, readWithHash, vcovSpec, type RegressionOptions, type SampleLog } from "./model-input.js";

export interface DidColumns extends RegressionOptions {
  data: string;
  y: string;
  unit: string;
  time: string;
  cohort: string;
  /** control columns */
  x?: string[];
  /** lead the outcome by this many periods within unit (seed Table 1, column 4) */
  lead?: number;
  /**
   * The file already read (e.g. once for several models in one session, `readDidData`): used instead
   * of reading `data` again. Not recorded in the provenance options.
   */
  preloaded?: DidData;
}

/** A panel file read once, with its hash, for several DID analyses. */
export interface DidData {
  table: Table;
  /** the file's hash, still being computed (readWithHash) */
  hash: Promise<string>;
}

/** The DID panel of a DID analysis's columns (what `prepareDid` reads; checked there). */
function didSpec(o: DidColumns): DidPanelSpec {
  return { file: o.data, y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, x: o.x ?? [], weights: o.weights, cluster: o.cluster ?? [] };
}

/**
 * Read the columns that `o` (and other analyses on the same columns) need, once: pass the result as
 * `preloaded` to `twfeAnalysis` / `eventAnalysis` to run several models on one read, as in an R session.
 */
export async function readDidData(o: DidColumns): Promise<DidData> {
  // the raw columns only: the panel (row deletion, checks, cohort coding, factors) is built once, in prepareDid
  return readWithHash(o.data, didPanelRequests(didSpec(o)));
}

export interface DidSample {
  table: Table;
  hash: Promise<string>;
  log: SampleLog;
}

/**
 * Steps up to (not including) the estimation-sample filters. `beforeMissing` may drop rows (e.g. the
 * event study's window trimming) after the panel checks and the lead.
 */
export async function prepareDid(o: DidColumns, beforeMissing?: (t: Table, log: SampleLog) => Table): Promise<DidSample> {
  const { table, hash } = o.preloaded ?? (await readDidData(o));
  for (const r of didPanelRequests(didSpec(o))) if (!table.columns.has(r.column)) throw new Error(`internal: the preloaded table lacks column '${r.column}'`);
  const log: SampleLog = { missing: 0, missingByColumn: {} };
  // rows without unit or time dropped (counted), the panel checks, the cohort coded (empty = never treated)
  // the panel's own `inputs` record is not used here: the hash, still being computed, goes into the result
  const p = didPanelFromTable(table, {}, { file: o.data, y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, dropMissing: [o.unit, o.time], validate: true });
  log.missing += p.dropped.rows;
  for (const [k, v] of Object.entries(p.dropped.byColumn)) log.missingByColumn[k] = (log.missingByColumn[k] ?? 0) + v;
  let t = p.table!;
  const panel = p.groups!;
  let treated = 0;
  for (let i = 0; i < p.n; i++) if (p.cohort![i]! > 0) treated++;
  if (treated === 0)
    throw inputError("no treated units: every cohort is 0 or empty (cohort = first treated period; 0 or empty = never treated)", {
      file: t.file,
      column: o.cohort,
    });
  if (o.lead !== undefined && o.lead !== 0) {
    const l = leadOutcome(t, panel, o.y, o.lead);
    t = l.table;
    log.lead = l.lost;
  }
  if (beforeMissing) t = beforeMissing(t, log);
  t = dropMissingInto(t, [o.y, ...(o.x ?? []), ...(o.weights ? [o.weights] : []), ...(o.cluster ?? [])], log);
  return { table: t, hash, log };
}

export interface DidDesign {
  design: Design;
  spec: VcovSpec;
  log: SampleLog;
  hash: Promise<string>;
}

/**
 * The whole DID model input: prepared sample, outcome variants, the regressors from `regressors(t)` plus
 * the controls, unit and time fixed effects, weights and the variance specification (clustered by unit
 * unless told otherwise). The table itself is not returned, so that the columns the model does not use
 * (unit and time values, cohort) can be freed before the estimation.
 */
export async function buildDidDesign(
  o: DidColumns,
  regressors: (t: Table) => DesignColumn[],
  beforeMissing?: (t: Table, log: SampleLog) => Table,
): Promise<DidDesign> {
  const s = await prepareDid(o, beforeMissing);
  const t = outcomeVariants(s.table, o.y, o, s.log);
  const unit = fixedEffectFactor(t, [o.unit]);
  const time = fixedEffectFactor(t, [o.time]);
  const design: Design = {
    y: numeric(t, o.y),
    yName: o.y,
    x: [...regressors(t), ...(o.x ?? []).map((c) => ({ name: c, values: numeric(t, c) }))],
    fixedEffects: [
      { name: o.unit, codes: unit.codes, nLevels: unit.nLevels },
      { name: o.time, codes: time.codes, nLevels: time.nLevels },
    ],
  };
  if (o.weights) design.weights = checkWeights(t, o.weights);
  return { design, spec: vcovSpec(t, o, o.unit), log: s.log, hash: s.hash };
}
