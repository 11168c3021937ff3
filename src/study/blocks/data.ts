/**
 * Study data: the region panel joined with the unit attributes and the policy list, as typed columns
 * (Float64Array per numeric column) plus integer codes for units, times and clusters. Reading goes through
 * DuckDB (CSV or Parquet). Duplicate (unit, time) keys (the one check of src/data/panel.ts) and unknown
 * policy units stop with a located error. `StudyData.panel` is the DID panel the analyses take.
 */
import { inputError } from "../../core/errors.js";
import { sha256Path } from "../../core/hash.js";
import { writeFileAtomic } from "../../core/atomic.js";
import { assertUniqueKeysOf, didPanelFromArrays, type DidPanel } from "../../data/panel.js";
import { readTextTable } from "../../data/read.js";
import type { StudySpec } from "../spec-schema.js";

export interface StudyData {
  n: number;
  /** unit id (as text) per row */
  unitId: string[];
  unitCodes: Int32Array;
  units: string[];
  time: Float64Array;
  times: number[];
  timeCodes: Int32Array;
  /** numeric columns of the panel plus the derived policy columns (cohort, treat_post, rel_time, …) */
  num: Record<string, Float64Array>;
  /** cluster codes (main model's cluster column) */
  clusterCodes: Int32Array;
  nClusters: number;
  /** sha256 of every input file, by spec key */
  inputHashes: Record<string, string>;
  /** the spec's column names for unit and time */
  unitName: string;
  timeName: string;
  /**
   * The same rows as the DID panel type every analysis takes (src/data/panel.ts): unit / time / cluster
   * codes, the numeric columns (`num`, shared with this object: columns joined later show in both) and
   * the input hashes.
   */
  panel: DidPanel;
}

function toNumeric(vals: (string | null)[]): Float64Array | null {
  const out = new Float64Array(vals.length);
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v === null || v === "" || v === "NA") {
      out[i] = NaN;
      continue;
    }
    const x = Number(v);
    if (!Number.isFinite(x)) return null;
    out[i] = x;
  }
  return out;
}

/**
 * The first non-numeric cell of a column that is otherwise numeric (more than half of its non-empty cells
 * are numbers), or null for a text column.
 */
function strayText(vals: (string | null)[]): { row: number; value: string; numeric: number; filled: number } | null {
  let numeric = 0,
    filled = 0,
    first = -1;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v === null || v === "" || v === "NA") continue;
    filled++;
    if (Number.isFinite(Number(v))) numeric++;
    else if (first < 0) first = i;
  }
  return first >= 0 && numeric > 0.5 * filled ? { row: first, value: vals[first]!, numeric, filled } : null;
}

/** Load the panel, unit attributes and policies named in the spec and derive the policy columns. */
export async function loadStudyData(spec: StudySpec): Promise<StudyData> {
  const inp = spec.inputs;
  const inputHashes: Record<string, string> = {};
  for (const [k, v] of Object.entries(inp)) if (v && typeof v === "object" && "file" in v && v.file) inputHashes[k] = await sha256Path(v.file);

  const panel = await readTextTable(inp.panel.file);
  const col = (name: string) => panel.cols[panel.names.indexOf(name)]!;
  const unitRaw = col(inp.panel.unit);
  const timeRaw = toNumeric(col(inp.panel.time));
  if (!timeRaw) throw inputError(`time column "${inp.panel.time}" is not numeric`, { file: inp.panel.file, column: inp.panel.time });
  const n = unitRaw.length;
  // sort rows by (unit, time) for a stable layout
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const ua = unitRaw[a] ?? "",
      ub = unitRaw[b] ?? "";
    return ua < ub ? -1 : ua > ub ? 1 : timeRaw[a]! - timeRaw[b]!;
  });
  const unitId: string[] = new Array(n);
  const time = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const u = unitRaw[i];
    if (u === null || u === "") throw inputError(`missing unit id`, { file: inp.panel.file, row: i + 2, column: inp.panel.unit });
    if (!Number.isFinite(timeRaw[i]!)) throw inputError(`missing time value`, { file: inp.panel.file, row: i + 2, column: inp.panel.time });
    unitId[k] = u;
    time[k] = timeRaw[i]!;
  }
  const num: Record<string, Float64Array> = {};
  panel.names.forEach((name, j) => {
    if (name === inp.panel.unit) return;
    const v = toNumeric(panel.cols[j]!);
    if (!v) {
      // a text column is not usable as a regressor; a numeric column with a stray text cell is an error
      const bad = strayText(panel.cols[j]!);
      if (bad !== null)
        throw inputError(
          `"${bad.value}" is not a number in a numeric column (${bad.numeric} of ${bad.filled} cells are numbers); fix the cell, or leave it empty (or NA) for a missing value`,
          { file: inp.panel.file, row: bad.row + 1, column: name },
        );
      return;
    }
    const s = new Float64Array(n);
    for (let k = 0; k < n; k++) s[k] = v[order[k]!]!;
    num[name] = s;
  });
  const units = [...new Set(unitId)];
  const unitIndex = new Map(units.map((u, i) => [u, i]));
  const unitCodes = Int32Array.from(unitId, (u) => unitIndex.get(u)!);
  // the one duplicate (unit, time) check (src/data/panel.ts); rows as the file's lines, like the messages above
  assertUniqueKeysOf(
    { file: inp.panel.file, unitName: inp.panel.unit, timeName: inp.panel.time, label: (g) => units[g]!, rowOf: (k) => order[k]! + 2 },
    unitCodes,
    units.length,
    time,
  );
  const times = [...new Set(time)].sort((a, b) => a - b);
  const timeIndex = new Map(times.map((t, i) => [t, i]));
  const timeCodes = Int32Array.from(time, (t) => timeIndex.get(t)!);

  // unit attributes (municipality / reform-zone flags)
  const perUnit = (vals: Map<string, number>, name: string) => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = vals.get(unitId[k]!) ?? 0;
    num[name] = out;
  };
  if (inp.units) {
    const t = await readTextTable(inp.units.file);
    const uc = t.cols[t.names.indexOf(inp.units.unit)]!;
    for (const [flag, column] of Object.entries(inp.units.flags) as [string, string | undefined][]) {
      if (!column) continue;
      const vals = new Map<string, number>();
      const c = t.cols[t.names.indexOf(column)]!;
      c.forEach((v, i) => {
        const x = Number(v);
        if (v === null || !Number.isFinite(x)) throw inputError(`flag "${column}" must be 0/1`, { file: inp.units!.file, row: i + 2, column });
        vals.set(uc[i]!, x);
      });
      perUnit(vals, flag);
    }
  }
  // policies: first year per (unit, program) — or the treatment read from the panel itself
  const firstYear = new Map<string, Map<string, number>>();
  const TREATED = "\u0000treated";
  if (inp.policies) {
    const pf = inp.policies;
    const pol = await readTextTable(pf.file);
    const pu = pol.cols[pol.names.indexOf(pf.unit)]!;
    const pp = pol.cols[pol.names.indexOf(pf.program)]!;
    const py = pol.cols[pol.names.indexOf(pf.year)]!;
    for (let i = 0; i < pu.length; i++) {
      const u = pu[i]!,
        p = pp[i]!,
        y = Number(py[i]);
      if (!Number.isFinite(y)) throw inputError(`policy year is not a number: "${py[i]}"`, { file: pf.file, row: i + 2, column: pf.year });
      if (!unitIndex.has(u))
        throw inputError(`unit "${u}" of the policy list is not in the panel ${inp.panel.file}`, { file: pf.file, row: i + 2, column: pf.unit });
      const key = p === pf.programs.treated ? TREATED : p;
      if (!firstYear.has(key)) firstYear.set(key, new Map());
      const m = firstYear.get(key)!;
      m.set(u, Math.min(m.get(u) ?? Infinity, y));
    }
    if (!firstYear.get(TREATED)?.size)
      throw inputError(`no unit has program "${pf.programs.treated}" (inputs.policies.programs.treated)`, { file: pf.file, column: pf.program });
  } else {
    firstYear.set(TREATED, panelCohorts(inp.panel, panel, order, unitId, time));
    if (!firstYear.get(TREATED)!.size)
      throw inputError(`no unit is ever treated in "${inp.panel.cohort ?? inp.panel.treatment}"`, {
        file: inp.panel.file,
        column: inp.panel.cohort ?? inp.panel.treatment,
      });
  }
  const progs = inp.policies?.programs ?? { treated: TREATED };
  const cohortOf = (program: string | undefined) => firstYear.get(program === progs.treated ? TREATED : (program ?? "")) ?? new Map<string, number>();
  const treated = cohortOf(progs.treated);
  const cohort = new Float64Array(n),
    treatPost = new Float64Array(n),
    rel = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const g = treated.get(unitId[k]!) ?? 0;
    cohort[k] = g;
    treatPost[k] = g > 0 && time[k]! >= g ? 1 : 0;
    rel[k] = g > 0 ? time[k]! - g : NaN;
  }
  num.cohort = cohort;
  num.treat_post = treatPost;
  num.rel_time = rel;
  const indicator = (program: string | undefined, name: string, asCohort = false) => {
    if (!program) return;
    const m = cohortOf(program);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const g = m.get(unitId[k]!) ?? 0;
      out[k] = asCohort ? g : g > 0 && time[k]! >= g ? 1 : 0;
    }
    num[name] = out;
  };
  const other = inp.policies?.programs;
  indicator(other?.nondigital, "nondigital_cohort", true);
  indicator(other?.nondigital, "nondigital_post");
  indicator(other?.broadband, "broadband");
  indicator(other?.smart_city, "smart_city");

  const clusterName = spec.model.cluster;
  let clusterCodes = unitCodes,
    nClusters = units.length;
  if (clusterName !== inp.panel.unit) {
    const c = panel.cols[panel.names.indexOf(clusterName)]!;
    const keys = Array.from({ length: n }, (_, k) => c[order[k]!] ?? "");
    const lv = [...new Set(keys)];
    const idx = new Map(lv.map((l, i) => [l, i]));
    clusterCodes = Int32Array.from(keys, (x) => idx.get(x)!);
    nClusters = lv.length;
  }
  const panelData = didPanelFromArrays({
    file: inp.panel.file,
    inputs: inputHashes,
    unitName: inp.panel.unit,
    timeName: inp.panel.time,
    unitCodes,
    units,
    time,
    num,
    cluster: { name: clusterName, codes: clusterCodes, nLevels: nClusters },
    cohort: "cohort",
    y: spec.outcome.column,
    x: spec.model.controls,
  });
  return {
    n,
    unitId,
    unitCodes,
    units,
    time,
    times,
    timeCodes,
    num,
    clusterCodes,
    nClusters,
    inputHashes,
    unitName: inp.panel.unit,
    timeName: inp.panel.time,
    panel: panelData,
  };
}

/**
 * Treatment cohorts from the panel: `cohort` (first treated period; 0, empty or NA = never; constant
 * within unit) or `treatment` (absorbing indicator, > 0 = treated: the cohort is the first period it is
 * on). Rows are visited in the study's (unit, time) order; errors name the file's row.
 */
function panelCohorts(
  p: StudySpec["inputs"]["panel"],
  panel: { names: string[]; cols: (string | null)[][] },
  order: number[],
  unitId: string[],
  time: Float64Array,
): Map<string, number> {
  const name = (p.cohort ?? p.treatment)!;
  const raw = panel.cols[panel.names.indexOf(name)]!;
  const out = new Map<string, number>();
  const seen = new Map<string, number>();
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const v = raw[i];
    const x = v === null || v === "" || v === "NA" ? 0 : Number(v);
    if (!Number.isFinite(x)) throw inputError(`"${v}" is not a number`, { file: p.file, row: i + 2, column: name });
    const u = unitId[k]!;
    if (p.cohort) {
      const prev = seen.get(u);
      if (prev !== undefined && prev !== x)
        throw inputError(`the cohort changes within unit "${u}" (${prev}, then ${x}); a cohort is the unit's first treated period, the same in every row`, {
          file: p.file,
          row: i + 2,
          column: name,
        });
      seen.set(u, x);
      if (x > 0) out.set(u, x);
    } else {
      const on = x > 0;
      const first = out.get(u);
      if (first !== undefined && !on)
        throw inputError(
          `the treatment switches off in unit "${u}" at ${time[k]} after starting in ${first}; staggered designs need an absorbing treatment (once on, always on)`,
          { file: p.file, row: i + 2, column: name },
        );
      if (on && first === undefined) out.set(u, time[k]!);
    }
  }
  return out;
}

/** Write the merged analysis panel (unit, time, every numeric column incl. the derived policy columns) as CSV, work/analysis_panel.csv, for the user to inspect or re-use. */
export async function writeAnalysisPanel(data: StudyData, path: string): Promise<void> {
  const names = Object.keys(data.num).filter((k) => k !== data.timeName);
  const lines = [[data.unitName, data.timeName, ...names].join(",")];
  for (let k = 0; k < data.n; k++) {
    lines.push([data.unitId[k], data.time[k], ...names.map((c) => (Number.isFinite(data.num[c]![k]!) ? data.num[c]![k] : ""))].join(","));
  }
  await writeFileAtomic(path, lines.join("\n") + "\n");
}
