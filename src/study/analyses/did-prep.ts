/**
 * The panel preparation shared by `did twfe` and `did event`: read the columns, drop rows without unit
 * or time (counted), validate the panel (integer time, unique (unit, time), constant cohort), lead the
 * outcome if asked, drop rows with other missing values (counted), and apply --winsor / --trim.
 */
import { inputError } from "../../core/errors.js";
import { cohortValue, validatePanel } from "../../data/panel.js";
import { numeric, type Table } from "../../data/table.js";
import { dropMissingInto, leadOutcome, readWithHash, requests, type RegressionOptions, type SampleLog } from "./model-input.js";

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
}

export interface DidSample {
  table: Table;
  hash: string;
  log: SampleLog;
}

/**
 * Steps up to (not including) the estimation-sample filters. `beforeMissing` may drop rows (e.g. the
 * event study's window trimming) after the panel checks and the lead.
 */
export async function prepareDid(o: DidColumns, beforeMissing?: (t: Table, log: SampleLog) => Table): Promise<DidSample> {
  const reqs = requests([o.y, o.time, o.cohort, ...(o.x ?? []), o.weights], [o.unit, ...(o.cluster ?? [])]);
  const { table, hash } = await readWithHash(o.data, reqs);
  const log: SampleLog = { missing: 0, missingByColumn: {} };
  let t = dropMissingInto(table, [o.unit, o.time], log);
  const panel = validatePanel(t, { unit: o.unit, time: o.time, cohort: o.cohort });
  // cohort: empty = never treated
  const g = numeric(t, o.cohort);
  let treated = 0;
  for (let i = 0; i < g.length; i++) {
    g[i] = cohortValue(g[i]!);
    if (g[i]! > 0) treated++;
  }
  if (treated === 0) throw inputError("no treated units: every cohort is 0 or empty (cohort = first treated period; 0 or empty = never treated)", { file: t.file, column: o.cohort });
  if (o.lead !== undefined && o.lead !== 0) {
    const l = leadOutcome(t, panel, o.y, o.lead);
    t = l.table;
    log.lead = l.lost;
  }
  if (beforeMissing) t = beforeMissing(t, log);
  t = dropMissingInto(t, [o.y, ...(o.x ?? []), ...(o.weights ? [o.weights] : []), ...(o.cluster ?? [])], log);
  return { table: t, hash, log };
}
