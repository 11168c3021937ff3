/**
 * Data envelopment analysis in envelopment form (METHODS.md §9), one linear programme per decision
 * making unit (DMU), solved with HiGHS. For DMU o with inputs x_·o ∈ R^m and outputs y_·o ∈ R^s:
 *
 *   input orientation:  min θ   s.t. Σ_j λ_j x_ij + s⁻_i = θ x_io,  Σ_j λ_j y_rj − s⁺_r = y_ro,  λ, s ≥ 0
 *   output orientation: max φ   s.t. Σ_j λ_j x_ij + s⁻_i = x_io,    Σ_j λ_j y_rj − s⁺_r = φ y_ro
 *
 * plus Σλ = 1 (VRS/BCC), Σλ ≤ 1 (NIRS) or Σλ ≥ 1 (NDRS); CRS/CCR has no constraint on Σλ
 * (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984). The reported `efficiency` is θ*
 * (input) or 1/φ* (output, the Shephard distance; `phi` keeps Farrell's φ* ≥ 1 as R Benchmarking prints).
 *
 * Options: super-efficiency (Andersen & Petersen 1993: DMU o leaves its own reference set; an
 * infeasible LP gives efficiency null with a reason) and second-phase slacks (max Σs⁻ + Σs⁺ with θ
 * fixed at θ*; "strongly efficient" iff θ* = 1 and every slack is 0).
 *
 * Data rules (checked, never silently passed on): inputs and outputs finite and ≥ 0; a DMU whose
 * inputs are all zero is an error (it would be infinitely efficient). A DMU with all-zero outputs gets
 * θ* from the LP (0 under CRS) in input orientation and efficiency 0 (φ* = ∞, reason "zero outputs")
 * in output orientation. Every variable is divided by its mean over the DMUs before solving
 * (θ, φ and λ are invariant to this; slacks are returned in the data's units).
 */
import type { Highs } from "highs";
import { estimationError, inputError } from "../core/errors.js";
import { highsRuntime } from "./dea-highs.js";

export type DeaRts = "crs" | "vrs" | "nirs" | "ndrs";
export type DeaOrientation = "input" | "output";

export interface DeaOptions {
  rts?: DeaRts;
  orientation?: DeaOrientation;
  /** Andersen–Petersen super-efficiency (DMU excluded from its own reference set). */
  superEfficiency?: boolean;
  /** Second phase: maximise the sum of slacks at the optimal θ/φ. */
  slacks?: boolean;
}

export interface DeaData {
  /** inputs[i][j]: input i of DMU j. */
  inputs: Float64Array[];
  /** outputs[r][j]: output r of DMU j. */
  outputs: Float64Array[];
  /** Names used in error messages. */
  inputNames?: string[];
  outputNames?: string[];
  /** Data row (1-based) of each DMU, used in error messages. */
  rows?: ArrayLike<number>;
  file?: string;
}

export interface DeaScore {
  /** θ* (input) or 1/φ* (output); null if the LP is infeasible (super-efficiency). */
  efficiency: number | null;
  /** Farrell output efficiency φ* (output orientation only). */
  phi: number | null;
  /** Σ_j λ_j at the optimum (returns to scale diagnostics). */
  lambdaSum: number | null;
  /** DMUs with λ_j > 1e-9 and their weights. */
  peers: { index: number; lambda: number }[];
  /** Input and output slacks of the second phase (data units), when requested. */
  slackInputs?: number[];
  slackOutputs?: number[];
  /** Efficiency 1 and all slacks zero (second phase only). */
  strongEfficient?: boolean;
  /** Why efficiency is null or degenerate. */
  reason?: string;
}

const TOL_PEER = 1e-9;
const TOL_SLACK = 1e-8;

/** Check the DEA data rules above; throws an input error naming the row and column. */
export function validateDeaData(d: DeaData): number {
  const m = d.inputs.length;
  const s = d.outputs.length;
  if (m === 0) throw inputError("DEA needs at least one input column");
  if (s === 0) throw inputError("DEA needs at least one output column");
  const n = d.inputs[0]!.length;
  const loc = (j: number, col: string) => ({ file: d.file, row: d.rows ? d.rows[j] : j + 1, column: col });
  const check = (cols: Float64Array[], names: string[] | undefined, kind: string) => {
    cols.forEach((c, k) => {
      const name = names?.[k] ?? `${kind} ${k + 1}`;
      if (c.length !== n) throw inputError(`${kind} column '${name}' has ${c.length} values, expected ${n}`);
      for (let j = 0; j < n; j++) {
        const v = c[j]!;
        if (!Number.isFinite(v))
          throw inputError(`missing or non-finite ${kind} value (${v}); DEA needs complete data — drop or fill this row first`, loc(j, name));
        if (v < 0) throw inputError(`negative ${kind} value ${v}; DEA needs inputs and outputs ≥ 0 — shift or transform this variable`, loc(j, name));
      }
    });
  };
  check(d.inputs, d.inputNames, "input");
  check(d.outputs, d.outputNames, "output");
  for (let j = 0; j < n; j++) {
    let any = false;
    for (let i = 0; i < m; i++) if (d.inputs[i]![j]! > 0) any = true;
    if (!any)
      throw inputError(
        `every input is zero for this DMU (it would be infinitely efficient); drop it or fix its inputs`,
        loc(j, (d.inputNames ?? []).join(",") || "inputs"),
      );
  }
  return n;
}

/** Efficiency of every DMU against the frontier spanned by all DMUs in `d` (see file comment). */
export async function dea(d: DeaData, opts: DeaOptions = {}): Promise<DeaScore[]> {
  const highs = await highsRuntime();
  return deaWith(highs, d, opts);
}

/** As `dea`, with an already loaded HiGHS runtime (synchronous). */
export function deaWith(highs: Highs, d: DeaData, opts: DeaOptions = {}): DeaScore[] {
  const rts = opts.rts ?? "crs";
  const orient = opts.orientation ?? "input";
  const n = validateDeaData(d);
  const m = d.inputs.length;
  const s = d.outputs.length;
  // Scale each variable by its mean (θ, φ, λ unchanged).
  const scale = (c: Float64Array) => {
    let t = 0;
    for (let j = 0; j < n; j++) t += c[j]!;
    return t > 0 ? t / n : 1;
  };
  const sx = d.inputs.map(scale);
  const sy = d.outputs.map(scale);
  const X = d.inputs.map((c, i) => c.map((v) => v / sx[i]!));
  const Y = d.outputs.map((c, r) => c.map((v) => v / sy[r]!));

  const hasConv = rts !== "crs";
  const nRows = m + s + (hasConv ? 1 : 0);
  const nCols = 1 + n + m + s; // θ/φ, λ_1..λ_n, s⁻, s⁺
  const lamCol = (j: number) => 1 + j;
  const sInCol = (i: number) => 1 + n + i;
  const sOutCol = (r: number) => 1 + n + m + r;
  // CSR rows; the θ/φ column carries DMU 0's value for now (changed per DMU).
  const starts: number[] = [0];
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < m; i++) {
    if (orient === "input") {
      idx.push(0);
      val.push(-(X[i]![0]! || 1));
    }
    for (let j = 0; j < n; j++)
      if (X[i]![j]! !== 0) {
        idx.push(lamCol(j));
        val.push(X[i]![j]!);
      }
    idx.push(sInCol(i));
    val.push(1);
    starts.push(idx.length);
  }
  for (let r = 0; r < s; r++) {
    if (orient === "output") {
      idx.push(0);
      val.push(-(Y[r]![0]! || 1));
    }
    for (let j = 0; j < n; j++)
      if (Y[r]![j]! !== 0) {
        idx.push(lamCol(j));
        val.push(Y[r]![j]!);
      }
    idx.push(sOutCol(r));
    val.push(-1);
    starts.push(idx.length);
  }
  if (hasConv) {
    for (let j = 0; j < n; j++) {
      idx.push(lamCol(j));
      val.push(1);
    }
    starts.push(idx.length);
  }
  const inf = highs.infinity;
  const rowLower = new Float64Array(nRows);
  const rowUpper = new Float64Array(nRows);
  if (hasConv) {
    rowLower[m + s] = rts === "nirs" ? -inf : 1;
    rowUpper[m + s] = rts === "ndrs" ? inf : 1;
  }
  const colCost = new Float64Array(nCols);
  colCost[0] = orient === "input" ? 1 : -1;
  const colLower = new Float64Array(nCols);
  const colUpper = new Float64Array(nCols).fill(inf);
  colLower[0] = -inf; // θ/φ free (bounded by the constraints)
  const model = highs.createModel({
    numCols: nCols,
    numRows: nRows,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: { format: "csr", numRows: nRows, numCols: nCols, starts, indices: idx, values: val },
  });
  const status = highs.constants.modelStatus;
  const out: DeaScore[] = [];
  try {
    model.options.set({
      output_flag: false,
      presolve: "off",
      primal_feasibility_tolerance: 1e-10,
      dual_feasibility_tolerance: 1e-10,
    });
    for (let o = 0; o < n; o++) {
      // Point the model at DMU o.
      if (orient === "input") {
        for (let i = 0; i < m; i++) model.changeCoefficient(i, 0, -X[i]![o]!);
        for (let r = 0; r < s; r++) model.changeRowBounds(m + r, Y[r]![o]!, Y[r]![o]!);
        for (let i = 0; i < m; i++) model.changeRowBounds(i, 0, 0);
      } else {
        for (let i = 0; i < m; i++) model.changeRowBounds(i, X[i]![o]!, X[i]![o]!);
        for (let r = 0; r < s; r++) {
          model.changeCoefficient(m + r, 0, -Y[r]![o]!);
          model.changeRowBounds(m + r, 0, 0);
        }
      }
      if (opts.superEfficiency) model.changeColBounds(lamCol(o), 0, 0);
      let allZeroOut = true;
      for (let r = 0; r < s; r++) if (Y[r]![o]! > 0) allZeroOut = false;
      const score: DeaScore = { efficiency: null, phi: null, lambdaSum: null, peers: [] };
      if (orient === "output" && allZeroOut) {
        score.efficiency = 0;
        score.phi = Infinity;
        score.reason = "zero outputs: φ is unbounded, efficiency set to 0";
      } else {
        model.run();
        const st = model.getModelStatus();
        if (st === status.optimal) {
          const sol = model.getSolution();
          const v = Math.max(0, sol.colValue[0]!); // clears −0 and −1e-17 round-off
          if (orient === "input") score.efficiency = v;
          else {
            score.phi = v;
            score.efficiency = v > 0 ? 1 / v : 0;
          }
          fillPeers(score, sol.colValue, n);
          if (opts.slacks && !opts.superEfficiency) secondPhase(model, score, v, n, m, s, sx, sy);
        } else if (st === status.infeasible || st === status.unboundedOrInfeasible) {
          score.reason = opts.superEfficiency
            ? "super-efficiency LP infeasible: no combination of the other DMUs produces this DMU's outputs under the chosen returns to scale"
            : "DEA LP infeasible";
        } else if (st === status.unbounded) {
          if (orient === "output") {
            score.phi = Infinity;
            score.efficiency = 0;
            score.reason = "φ unbounded (output LP)";
          } else score.reason = "DEA LP unbounded";
        } else {
          throw estimationError(`DEA: HiGHS stopped with model status ${st} for DMU ${o + 1}`);
        }
      }
      if (opts.superEfficiency) model.changeColBounds(lamCol(o), 0, inf);
      out.push(score);
    }
  } finally {
    model.dispose();
  }
  return out;
}

function fillPeers(score: DeaScore, colValue: Float64Array, n: number): void {
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const l = colValue[1 + j]!;
    sum += l;
    if (l > TOL_PEER) score.peers.push({ index: j, lambda: l });
  }
  score.lambdaSum = sum;
}

type HighsModel = ReturnType<Highs["createModel"]>;

function secondPhase(model: HighsModel, score: DeaScore, v: number, n: number, m: number, s: number, sx: number[], sy: number[]): void {
  const inf = Infinity;
  model.changeColBounds(0, v, v);
  const c0 = model.getLp().colCost[0]!;
  model.changeColCost(0, 0);
  for (let k = 0; k < m + s; k++) model.changeColCost(1 + n + k, -1);
  model.run();
  const sol = model.getSolution();
  score.slackInputs = [];
  score.slackOutputs = [];
  let allZero = true;
  for (let i = 0; i < m; i++) {
    const sl = Math.max(0, sol.colValue[1 + n + i]!) * sx[i]!;
    score.slackInputs.push(sl);
    if (sl > TOL_SLACK * sx[i]!) allZero = false;
  }
  for (let r = 0; r < s; r++) {
    const sl = Math.max(0, sol.colValue[1 + n + m + r]!) * sy[r]!;
    score.slackOutputs.push(sl);
    if (sl > TOL_SLACK * sy[r]!) allZero = false;
  }
  score.peers = [];
  fillPeers(score, sol.colValue, n);
  score.strongEfficient = Math.abs(score.efficiency! - 1) < 1e-9 && allZero;
  for (let k = 0; k < m + s; k++) model.changeColCost(1 + n + k, 0);
  model.changeColCost(0, c0);
  model.changeColBounds(0, -inf, inf);
}
