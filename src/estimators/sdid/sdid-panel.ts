/**
 * From long data (one row per unit and period) to the N×T matrices synthetic DID works on, with the
 * checks synthdid's `panel.matrices` makes (balanced panel, no duplicate keys, a 0/1 absorbing
 * treatment) and messages that name file, row and column.
 */
import { inputError, estimationError } from "../../core/errors.js";
import { assertUniqueKeysOf } from "../../data/panel.js";
import type { SdidPanel } from "./sdid.js";

export interface LongPanelInput {
  unit: ArrayLike<string>;
  time: ArrayLike<number>;
  y: ArrayLike<number>;
  treat: ArrayLike<number>;
  /** for messages */
  file?: string;
  columns?: { unit: string; time: string; y: string; treat: string };
}

export interface WidePanel {
  /** unit keys, sorted (numerically when every key is a number) */
  units: string[];
  /** distinct periods, ascending */
  times: number[];
  /** row-major N×T outcome */
  Y: Float64Array;
  /** index into `times` of the first treated period, or −1 for never-treated units */
  adoption: Int32Array;
  /** data row (0-based) of each cell, row-major N×T */
  rowOf: Int32Array;
}

/** Sort keys numerically when all are numbers, else by code units (stable, locale-free). */
export function sortUnitKeys(keys: string[]): string[] {
  const allNum = keys.every((k) => k.trim() !== "" && Number.isFinite(Number(k)));
  return [...keys].sort(allNum ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Validate and reshape long data into a balanced wide panel. */
export function widePanel(inp: LongPanelInput): WidePanel {
  const n = inp.y.length;
  const col = inp.columns ?? { unit: "unit", time: "time", y: "y", treat: "treat" };
  const loc = (row: number, column: string) => ({ ...(inp.file !== undefined ? { file: inp.file } : {}), row: row + 1, column });
  const unitIdx = new Map<string, number>();
  const codes = new Int32Array(n);
  const timeSet = new Set<number>();
  for (let r = 0; r < n; r++) {
    const u = inp.unit[r]!;
    if (u === "" || u === undefined) throw inputError("missing unit identifier; every row needs one", loc(r, col.unit));
    let c = unitIdx.get(u);
    if (c === undefined) unitIdx.set(u, (c = unitIdx.size));
    codes[r] = c;
    const t = inp.time[r]!;
    if (!Number.isFinite(t)) throw inputError("missing or non-numeric period; fix or drop the row", loc(r, col.time));
    timeSet.add(t);
    if (!Number.isFinite(inp.y[r]!))
      throw inputError("missing or non-finite outcome; synthetic DID needs a balanced panel without gaps — impute or drop the unit", loc(r, col.y));
    const d = inp.treat[r]!;
    if (d !== 0 && d !== 1) throw inputError(`treatment must be 0 or 1, got ${String(d)}`, loc(r, col.treat));
  }
  // The one duplicate (unit, period) check (src/data/panel.ts).
  const keys = [...unitIdx.keys()];
  assertUniqueKeysOf({ file: inp.file, unitName: col.unit, timeName: col.time, label: (g) => keys[g]!, rowOf: (r) => r + 1 }, codes, keys.length, inp.time);
  const units = sortUnitKeys(keys);
  const times = [...timeSet].sort((a, b) => a - b);
  const uPos = new Map(units.map((u, i) => [u, i] as const));
  const tPos = new Map(times.map((t, i) => [t, i] as const));
  const N = units.length;
  const T = times.length;
  const Y = new Float64Array(N * T);
  const D = new Int8Array(N * T).fill(-1);
  const rowOf = new Int32Array(N * T).fill(-1);
  for (let r = 0; r < n; r++) {
    const i = uPos.get(inp.unit[r]!)!;
    const t = tPos.get(inp.time[r]!)!;
    const k = i * T + t;
    rowOf[k] = r;
    Y[k] = inp.y[r]!;
    D[k] = inp.treat[r]!;
  }
  const adoption = new Int32Array(N).fill(-1);
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      if (rowOf[k]! < 0)
        throw inputError(`unbalanced panel: unit '${units[i]}' has no row for period ${times[t]}; synthetic DID needs every unit in every period`, {
          ...(inp.file !== undefined ? { file: inp.file } : {}),
          column: col.time,
        });
      if (D[k] === 1 && adoption[i] === -1) adoption[i] = t;
      if (D[k] === 0 && adoption[i]! >= 0) {
        throw inputError(
          `treatment of unit '${units[i]}' switches off in period ${times[t]}; synthetic DID needs an absorbing treatment (0 … 0 1 … 1)`,
          loc(rowOf[k]!, col.treat),
        );
      }
    }
    if (adoption[i] === 0)
      throw inputError(
        `unit '${units[i]}' is treated in the first period ${times[0]}; it has no pre-treatment period — drop it`,
        loc(rowOf[i * T]!, col.treat),
      );
  }
  return { units, times, Y, adoption, rowOf };
}

export interface BlockPanel {
  panel: SdidPanel;
  /** unit keys in row order of panel.Y (controls, then treated) */
  unitOrder: string[];
  controls: string[];
  treated: string[];
  times: number[];
}

/** Controls (never treated) first, then treated units; requires one common adoption period. */
export function blockPanel(w: WidePanel): BlockPanel {
  const N = w.units.length;
  const T = w.times.length;
  const ctrl: number[] = [];
  const trt: number[] = [];
  let a = -1;
  for (let i = 0; i < N; i++) {
    const ai = w.adoption[i]!;
    if (ai < 0) ctrl.push(i);
    else {
      if (a >= 0 && ai !== a) throw estimationError("treated units adopt in different periods: this is a staggered design (use the staggered estimator)");
      a = ai;
      trt.push(i);
    }
  }
  if (trt.length === 0) throw estimationError("no treated unit: the treatment column is 0 everywhere");
  if (ctrl.length === 0) throw estimationError("no never-treated control unit");
  const order = [...ctrl, ...trt];
  const Y = new Float64Array(N * T);
  order.forEach((src, dst) => Y.set(w.Y.subarray(src * T, src * T + T), dst * T));
  return {
    panel: { Y, N, T, N0: ctrl.length, T0: a },
    unitOrder: order.map((i) => w.units[i]!),
    controls: ctrl.map((i) => w.units[i]!),
    treated: trt.map((i) => w.units[i]!),
    times: w.times,
  };
}
