/**
 * The DID panel (`readDidPanel` / `didPanelFromTable`: read, validate and code once), the one duplicate
 * (unit, time) check (`assertUniqueKeys`), panel checks for DID designs and within-unit operations. A panel is the table's rows grouped by unit
 * and sorted by time within unit (a counting sort by unit code, then a sort of each unit's few rows).
 */
import { inputError } from "../core/errors.js";
import { sha256FileAside } from "./file-hash.js";
import { factorize, factorizeNumbers, levelLabel, type Factor } from "./factor.js";
import { dropMissing } from "./missing.js";
import { readTable, type ColumnRequest } from "./read.js";
import { cellText, fileRow, getColumn, mapNumbers, numeric, withNumeric, type Table } from "./table.js";

export interface PanelSpec {
  unit: string;
  time: string;
  /** first treated period; 0 or missing = never treated */
  cohort?: string;
  /** 0/1 treatment indicator that must be absorbing */
  treat?: string;
}

export interface Panel {
  unit: Factor;
  time: Float64Array;
  /** row indices sorted by (unit, time) */
  order: Int32Array;
  /** rows of unit u are order[start[u] .. start[u+1]) */
  start: Int32Array;
  nUnits: number;
}

const SHOW = 5;

/** Group rows by unit and sort each unit's rows by time. */
export function groupPanel(unit: Factor, time: Float64Array): Panel {
  const n = unit.codes.length,
    G = unit.nLevels;
  const start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) start[unit.codes[i]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const pos = start.slice(0, G);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[pos[unit.codes[i]!]!++] = i;
  for (let g = 0; g < G; g++) {
    const a = start[g]!,
      b = start[g + 1]!;
    // insertion sort by time (units have few rows); stable, so equal times keep file order
    for (let j = a + 1; j < b; j++) {
      const r = order[j]!,
        t = time[r]!;
      let k = j - 1;
      while (k >= a && time[order[k]!]! > t) {
        order[k + 1] = order[k]!;
        k--;
      }
      order[k + 1] = r;
    }
  }
  return { unit, time, order, start, nUnits: G };
}

/** Where the one duplicate-key check reports: file, column names, unit labels and file rows. */
export interface KeyNames {
  file?: string | undefined;
  unitName: string;
  timeName: string;
  /** printed label of unit code g */
  label: (g: number) => string;
  /** the row number printed for input row i */
  rowOf: (i: number) => number;
}

/**
 * THE duplicate (unit, time) check of keytech (every DID reader, estimator and the study call it): lists
 * the first few duplicated keys with all their rows and the total count, and says what to do.
 */
export function assertUniqueKeys(k: KeyNames, p: Panel): void {
  const { order, start, time } = p;
  const dups: string[] = [];
  let nDup = 0;
  for (let g = 0; g < p.nUnits; g++) {
    for (let j = start[g]! + 1; j < start[g + 1]!; j++) {
      if (time[order[j]!] === time[order[j - 1]!]) {
        // count each duplicated key once, listing all its rows
        if (j === start[g]! + 1 || time[order[j - 2]!] !== time[order[j]!]) {
          nDup++;
          if (dups.length < SHOW) {
            const rows: number[] = [k.rowOf(order[j - 1]!)];
            for (let m = j; m < start[g + 1]! && time[order[m]!] === time[order[j]!]; m++) rows.push(k.rowOf(order[m]!));
            dups.push(`${k.unitName}=${k.label(g)}, ${k.timeName}=${time[order[j]!]} (rows ${rows.join(", ")})`);
          }
        }
      }
    }
  }
  if (nDup > 0) {
    const more = nDup > dups.length ? `; ${nDup} duplicated keys in all` : "";
    throw inputError(
      `duplicate (unit, time) rows: ${dups.join("; ")}${more}. Each unit may appear once per period: remove or aggregate the duplicates`,
      k.file !== undefined ? { file: k.file } : {},
    );
  }
}

/** `assertUniqueKeys` on unit codes 0..nUnits−1 and periods given as arrays (the estimators' long inputs). */
export function assertUniqueKeysOf(k: KeyNames, codes: Int32Array, nUnits: number, time: ArrayLike<number>): void {
  assertUniqueKeys(k, groupPanel({ codes, nLevels: nUnits, levels: [] }, time instanceof Float64Array ? time : Float64Array.from(time)));
}

/**
 * Validate a panel (rows with a missing unit or time must have been dropped before): time is an
 * integer; no duplicate (unit, time) rows (the first few shown with their rows); the cohort is constant
 * within a unit; a 0/1 treatment never switches off. Returns the grouped panel.
 */
export function validatePanel(t: Table, spec: PanelSpec): Panel {
  const unitCol = getColumn(t, spec.unit);
  const timeCol = getColumn(t, spec.time);
  const file = t.file;
  if (timeCol.kind !== "num") throw new Error("internal: time column must be read as a number");
  const time = timeCol.values;
  for (let i = 0; i < t.nrows; i++) {
    if (!Number.isInteger(time[i]!)) {
      throw inputError(`time must be an integer period (e.g. a year), found ${cellText(timeCol, i)}`, { file, row: fileRow(t, i), column: timeCol.source });
    }
  }
  const unit = factorize(unitCol);
  const p = groupPanel(unit, time);
  assertUniqueKeys({ file, unitName: unitCol.source, timeName: timeCol.source, label: (g) => levelLabel(unit, g), rowOf: (i) => fileRow(t, i) }, p);

  if (spec.cohort) checkCohort(t, p, spec.unit, spec.cohort);
  if (spec.treat) checkTreatment(t, p, spec.unit, spec.time, spec.treat);
  return p;
}

/** The cohort (first treated period; 0 or empty = never) is constant within each unit and a period. */
export function checkCohort(t: Table, p: Panel, unitName: string, cohortName: string): void {
  const unitCol = getColumn(t, unitName);
  const file = t.file;
  const { order, start, unit } = p;
  const cc = getColumn(t, cohortName);
  const coh = numeric(t, cohortName);
  for (let g = 0; g < p.nUnits; g++) {
    const r0 = order[start[g]!]!;
    const c0 = cohortValue(coh[r0]!);
    for (let j = start[g]! + 1; j < start[g + 1]!; j++) {
      const r = order[j]!;
      if (cohortValue(coh[r]!) !== c0) {
        throw inputError(
          `cohort is not constant within unit ${unitCol.source}=${levelLabel(unit, g)}: ${cellText(cc, r0)} at row ${fileRow(t, r0)} but ${cellText(cc, r)} at row ${fileRow(t, r)}; the cohort (first treated period, 0 or empty = never treated) must be the same in every row of a unit`,
          { file, row: fileRow(t, r), column: cc.source },
        );
      }
    }
    if (c0 !== 0 && (!Number.isInteger(c0) || c0 < 0)) {
      throw inputError(`cohort must be a period (the first treated one) or 0/empty for never treated, found ${cellText(cc, r0)}`, {
        file,
        row: fileRow(t, r0),
        column: cc.source,
      });
    }
  }
}

/** A 0/1 treatment that never switches off within a unit. */
export function checkTreatment(t: Table, p: Panel, unitName: string, timeName: string, treatName: string): void {
  const unitCol = getColumn(t, unitName);
  const timeCol = getColumn(t, timeName);
  const file = t.file;
  const { order, start, time, unit } = p;
  const tc = getColumn(t, treatName);
  const d = numeric(t, treatName);
  for (let g = 0; g < p.nUnits; g++) {
    for (let j = start[g]!; j < start[g + 1]!; j++) {
      const r = order[j]!;
      const v = d[r]!;
      if (v !== 0 && v !== 1) throw inputError(`treatment must be 0 or 1, found ${cellText(tc, r)}`, { file, row: fileRow(t, r), column: tc.source });
      if (j > start[g]! && v === 0 && d[order[j - 1]!] === 1) {
        const q = order[j - 1]!;
        throw inputError(
          `treatment switches off in unit ${unitCol.source}=${levelLabel(unit, g)}: 1 in ${timeCol.source} ${time[q]} (row ${fileRow(t, q)}) then 0 in ${timeCol.source} ${time[r]} (row ${fileRow(t, r)}); staggered DID needs a treatment that stays on once it starts`,
          { file, row: fileRow(t, r), column: tc.source },
        );
      }
    }
  }
}

/** Cohort convention (R did): 0 or missing = never treated. */
export function cohortValue(v: number): number {
  return Number.isNaN(v) ? 0 : v;
}

/**
 * Lead (k > 0) or lag (k < 0) of a variable within unit by calendar time: value at time t + k of the
 * same unit, NaN when that period is absent (fixest `f(y, k)` / `l(y, −k)` on a panel).
 */
export function shiftWithinUnit(p: Panel, x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  const { order, start, time } = p;
  for (let g = 0; g < p.nUnits; g++) {
    const a = start[g]!,
      b = start[g + 1]!;
    let m = a;
    for (let j = a; j < b; j++) {
      const r = order[j]!;
      const target = time[r]! + k;
      if (k >= 0) {
        while (m < b && time[order[m]!]! < target) m++;
      } else {
        m = a;
        while (m < b && time[order[m]!]! < target) m++;
      }
      if (m < b && time[order[m]!] === target) out[r] = x[order[m]!]!;
    }
  }
  return out;
}

/** What a DID panel is made of: the columns by role, and which checks to run. */
export interface DidPanelSpec {
  file: string;
  /** outcome (numeric) */
  y?: string | undefined;
  /** unit id; absent for repeated cross sections (then every row is its own unit, named "row") */
  unit?: string | undefined;
  /** read the unit id as text even when every value is a number (keys kept as written, e.g. "01") */
  unitAsText?: boolean;
  /** period (numeric) */
  time: string;
  /** first treated period; 0 or empty = never treated (coded so: NaN → 0) */
  cohort?: string | undefined;
  /** 0/1 treatment indicator */
  treat?: string | undefined;
  /** covariates (numeric) */
  x?: string[] | undefined;
  weights?: string | undefined;
  /** cluster variables (number or text); the first is the panel's cluster (default: the unit) */
  cluster?: string[] | undefined;
  /** further numeric columns */
  numbers?: (string | undefined)[] | undefined;
  /** further columns read as numbers when every value is one, else as text */
  factors?: (string | undefined)[] | undefined;
  /** further cohort-type columns (0/empty = never), checked constant within unit when `validate` */
  extraCohorts?: string[] | undefined;
  /** listwise deletion (counted, never silent) on these columns, before the checks */
  dropMissing?: string[] | undefined;
  /** the panel checks: integer periods, the one duplicate-key check, constant cohort, absorbing treatment */
  validate?: boolean;
}

/**
 * A DID panel read, validated and coded once: the kept rows (as a table, with the cohort coded 0 =
 * never), the unit / time / cluster codes with their level labels, the role columns as typed arrays,
 * the input hash and the rows dropped for missing values. Every DID command, the study and the analyses
 * take this one type (or build their estimator's input from it).
 */
export interface DidPanel {
  /** what it was built from (column names by role) */
  spec: DidPanelSpec;
  file: string;
  /** sha256 of each input file, for the result's provenance */
  inputs: Record<string, string>;
  /** the kept rows (null when the panel was built from arrays, e.g. the study's merged panel) */
  table: Table | null;
  n: number;
  unitName: string;
  timeName: string;
  /** unit codes with level labels */
  unit: Factor;
  time: Float64Array;
  /** period codes 0..times.length−1 into the sorted distinct periods */
  timeCodes: Int32Array;
  times: number[];
  /** the panel's cluster (the first cluster variable, else the unit) */
  cluster: { name: string; codes: Int32Array; nLevels: number };
  /** every cluster variable asked for, in order */
  clusters: { name: string; codes: Int32Array; nLevels: number }[];
  /** coded cohort (0 = never treated), or null */
  cohort: Float64Array | null;
  treat: Float64Array | null;
  weights: Float64Array | null;
  y: string | null;
  x: string[];
  /** numeric columns by name (every numeric column read, coded cohorts included) */
  num: Record<string, Float64Array>;
  /** rows grouped by unit and sorted by time (when validated) */
  groups: Panel | null;
  dropped: { rows: number; byColumn: Record<string, number> };
}

/** The column requests of a spec: numbers win over auto when a column has two roles; first order kept. */
export function didPanelRequests(s: DidPanelSpec): ColumnRequest[] {
  const out = new Map<string, ColumnRequest>();
  const add = (c: string | undefined, type: ColumnRequest["type"]) => {
    if (!c) return;
    const had = out.get(c);
    if (!had) out.set(c, { column: c, type });
    else if (type === "number") had.type = "number";
  };
  add(s.y, "number");
  add(s.unit, s.unitAsText ? "text" : "auto");
  add(s.time, "number");
  add(s.cohort, "number");
  add(s.treat, "number");
  for (const c of s.x ?? []) add(c, "number");
  add(s.weights, "number");
  for (const c of s.cluster ?? []) add(c, "auto");
  for (const c of s.extraCohorts ?? []) add(c, "number");
  for (const c of s.numbers ?? []) add(c, "number");
  for (const c of s.factors ?? []) add(c, "auto");
  return [...out.values()];
}

/** Read a DID panel (DuckDB / CSV reader of read.ts; the file hashed meanwhile) and build it. */
export async function readDidPanel(s: DidPanelSpec): Promise<DidPanel> {
  const hashP = sha256FileAside(s.file).catch(() => "sha256:unavailable");
  const table = await readTable(s.file, didPanelRequests(s));
  return didPanelFromTable(table, { [s.file]: await hashP }, s);
}

/** Build a DID panel from a table already read (e.g. once for several models): deletion, checks, coding. */
export function didPanelFromTable(raw: Table, inputs: Record<string, string>, s: DidPanelSpec): DidPanel {
  for (const r of didPanelRequests(s)) if (!raw.columns.has(r.column)) throw new Error(`internal: the table lacks column '${r.column}'`);
  let t = raw;
  let dropped: DidPanel["dropped"] = { rows: 0, byColumn: {} };
  if (s.dropMissing?.length) {
    const d = dropMissing(t, s.dropMissing);
    t = d.table;
    dropped = { rows: d.dropped, byColumn: d.byColumn };
  }
  let groups: Panel | null = null;
  if (s.validate) {
    if (!s.unit) throw new Error("internal: the panel checks need a unit column");
    groups = validatePanel(t, { unit: s.unit, time: s.time, ...(s.cohort ? { cohort: s.cohort } : {}), ...(s.treat ? { treat: s.treat } : {}) });
    for (const g of s.extraCohorts ?? []) checkCohort(t, groups, s.unit, g);
  }
  // cohorts: 0 or empty = never treated, coded once (the table keeps the coded column)
  for (const g of [s.cohort, ...(s.extraCohorts ?? [])]) {
    if (!g) continue;
    const c = getColumn(t, g);
    t = withNumeric(t, g, mapNumbers(numeric(t, g), cohortValue), c.source);
  }
  const n = t.nrows;
  const time = numeric(t, s.time);
  const unit: Factor = groups
    ? groups.unit
    : s.unit
      ? factorize(getColumn(t, s.unit))
      : { codes: Int32Array.from({ length: n }, (_, i) => i), nLevels: n, levels: Array.from({ length: n }, (_, i) => String(i + 1)) };
  const tf = factorizeNumbers(time);
  const clusters = (s.cluster ?? []).map((c) => {
    const f = factorize(getColumn(t, c));
    return { name: c, codes: f.codes, nLevels: f.nLevels };
  });
  const num: Record<string, Float64Array> = {};
  for (const [name, c] of t.columns) if (c.kind === "num") num[name] = c.values;
  return {
    spec: s,
    file: s.file,
    inputs,
    table: t,
    n,
    unitName: s.unit ?? "row",
    timeName: s.time,
    unit,
    time,
    timeCodes: tf.codes,
    times: Array.from(tf.levels as Float64Array),
    cluster: clusters[0] ?? { name: s.unit ?? "row", codes: unit.codes, nLevels: unit.nLevels },
    clusters,
    cohort: s.cohort ? numeric(t, s.cohort) : null,
    treat: s.treat ? numeric(t, s.treat) : null,
    weights: s.weights ? numeric(t, s.weights) : null,
    y: s.y ?? null,
    x: s.x ?? [],
    num,
    groups,
    dropped,
  };
}

/**
 * A DID panel from coded arrays (the study's merged panel, generated data): unit codes with their labels,
 * periods, numeric columns (`num` is kept by reference), the cluster (default the unit) and the cohort
 * column's name in `num` (0 = never treated).
 */
export function didPanelFromArrays(a: {
  file: string;
  inputs: Record<string, string>;
  unitName: string;
  timeName: string;
  unitCodes: Int32Array;
  units: string[];
  time: Float64Array;
  num: Record<string, Float64Array>;
  cluster?: { name: string; codes: Int32Array; nLevels: number };
  cohort?: string;
  y?: string;
  x?: string[];
}): DidPanel {
  const tf = factorizeNumbers(a.time);
  const cluster = a.cluster ?? { name: a.unitName, codes: a.unitCodes, nLevels: a.units.length };
  return {
    spec: { file: a.file, unit: a.unitName, time: a.timeName, cohort: a.cohort, y: a.y, x: a.x ?? [], cluster: [cluster.name] },
    file: a.file,
    inputs: a.inputs,
    table: null,
    n: a.time.length,
    unitName: a.unitName,
    timeName: a.timeName,
    unit: { codes: a.unitCodes, nLevels: a.units.length, levels: a.units },
    time: a.time,
    timeCodes: tf.codes,
    times: Array.from(tf.levels as Float64Array),
    cluster,
    clusters: [cluster],
    cohort: a.cohort ? (a.num[a.cohort] ?? null) : null,
    treat: null,
    weights: null,
    y: a.y ?? null,
    x: a.x ?? [],
    num: a.num,
    groups: null,
    dropped: { rows: 0, byColumn: {} },
  };
}
