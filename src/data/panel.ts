/**
 * Panel checks for DID designs and within-unit operations. A panel is the table's rows grouped by unit
 * and sorted by time within unit (a counting sort by unit code, then a sort of each unit's few rows).
 */
import { inputError } from "../core/errors.js";
import { factorize, levelLabel, type Factor } from "./factor.js";
import { cellText, fileRow, getColumn, numeric, type Table } from "./table.js";

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
  const n = unit.codes.length, G = unit.nLevels;
  const start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) start[unit.codes[i]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const pos = start.slice(0, G);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[pos[unit.codes[i]!]!++] = i;
  for (let g = 0; g < G; g++) {
    const a = start[g]!, b = start[g + 1]!;
    // insertion sort by time (units have few rows); stable, so equal times keep file order
    for (let j = a + 1; j < b; j++) {
      const r = order[j]!, t = time[r]!;
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
  const { order, start } = p;

  const dups: string[] = [];
  let nDup = 0;
  for (let g = 0; g < p.nUnits; g++) {
    for (let j = start[g]! + 1; j < start[g + 1]!; j++) {
      if (time[order[j]!] === time[order[j - 1]!]) {
        // count each duplicated key once, listing all its rows
        if (j === start[g]! + 1 || time[order[j - 2]!] !== time[order[j]!]) {
          nDup++;
          if (dups.length < SHOW) {
            const rows: number[] = [fileRow(t, order[j - 1]!)];
            for (let k = j; k < start[g + 1]! && time[order[k]!] === time[order[j]!]; k++) rows.push(fileRow(t, order[k]!));
            dups.push(`${unitCol.source}=${levelLabel(unit, g)}, ${timeCol.source}=${time[order[j]!]} (rows ${rows.join(", ")})`);
          }
        }
      }
    }
  }
  if (nDup > 0) {
    const more = nDup > dups.length ? `; ${nDup} duplicated keys in all` : "";
    throw inputError(`duplicate (unit, time) rows: ${dups.join("; ")}${more}. Each unit may appear once per period: remove or aggregate the duplicates`, { file });
  }

  if (spec.cohort) {
    const cc = getColumn(t, spec.cohort);
    const coh = numeric(t, spec.cohort);
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
        throw inputError(`cohort must be a period (the first treated one) or 0/empty for never treated, found ${cellText(cc, r0)}`, { file, row: fileRow(t, r0), column: cc.source });
      }
    }
  }

  if (spec.treat) {
    const tc = getColumn(t, spec.treat);
    const d = numeric(t, spec.treat);
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
  return p;
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
    const a = start[g]!, b = start[g + 1]!;
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
