/**
 * The linear programmes of the HonestDiD confidence sets, solved with HiGHS (the shared Wasm runtime of
 * `estimators/dea-highs.ts`). Models whose matrix stays fixed while the right-hand side or the costs
 * change (one per grid point or simulation draw) are built once and re-solved from the previous basis.
 */
import type { Highs } from "highs";
import { highsRuntime } from "../../estimators/dea-highs.js";

type HighsModel = ReturnType<Highs["createModel"]>;

let runtime: Highs | null = null;

/** Load HiGHS once (every LP below needs it loaded). */
export async function loadLp(): Promise<Highs> {
  runtime ??= await highsRuntime();
  return runtime;
}

function highs(): Highs {
  if (!runtime) throw new Error("HiGHS is not loaded: await loadLp() first");
  return runtime;
}

function csr(A: Float64Array, rows: number, cols: number): { starts: Int32Array; indices: Int32Array; values: Float64Array } {
  const starts = new Int32Array(rows + 1),
    idx: number[] = [],
    val: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = A[i * cols + j]!;
      if (v !== 0) {
        idx.push(j);
        val.push(v);
      }
    }
    starts[i + 1] = idx.length;
  }
  return { starts, indices: Int32Array.from(idx), values: Float64Array.from(val) };
}

function newModel(
  A: Float64Array,
  rows: number,
  cols: number,
  cost: Float64Array,
  rowLower: Float64Array,
  rowUpper: Float64Array,
  colLower: Float64Array,
  colUpper: Float64Array,
): HighsModel {
  const h = highs();
  const model = h.createModel({
    numCols: cols,
    numRows: rows,
    colCost: cost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: { format: "csr", numRows: rows, numCols: cols, ...csr(A, rows, cols) },
  });
  model.options.set({ output_flag: false, presolve: "off" });
  return model;
}

/**
 * The ARP test statistic programme (HonestDiD `.test_delta_lp_fn`):
 *     η* = min_{η, δ} η  s.t.  y − Xδ ≤ η·σ  (σ_i = √Σ_ii),
 * with the dual weights λ ≥ 0 (Σ λ_i σ_i = 1, X'λ = 0) of the rows. Built once for (X, σ); `solve(y)`
 * changes the right-hand side only.
 */
export class EtaLp {
  private readonly model: HighsModel;
  private readonly m: number;
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;

  constructor(X: Float64Array, m: number, k: number, sd: Float64Array) {
    this.m = m;
    const cols = 1 + k;
    const A = new Float64Array(m * cols);
    for (let i = 0; i < m; i++) {
      A[i * cols] = -sd[i]!;
      for (let j = 0; j < k; j++) A[i * cols + 1 + j] = -X[i * k + j]!;
    }
    const cost = new Float64Array(cols);
    cost[0] = 1;
    const inf = highs().infinity;
    this.lower = new Float64Array(m).fill(-inf);
    this.upper = new Float64Array(m);
    this.model = newModel(A, m, cols, cost, this.lower, this.upper, new Float64Array(cols).fill(-inf), new Float64Array(cols).fill(inf));
  }

  /** Solve for one y; null when HiGHS does not report an optimum. */
  solve(y: ArrayLike<number>): { eta: number; delta: Float64Array; lambda: Float64Array } | null {
    for (let i = 0; i < this.m; i++) this.upper[i] = -y[i]!;
    this.model.changeRowsBounds({ kind: "range", from: 0, to: this.m - 1 }, this.lower, this.upper);
    this.model.run();
    if (this.model.getModelStatus() !== highs().constants.modelStatus.optimal) return null;
    const sol = this.model.getSolution();
    const lambda = Float64Array.from(sol.rowDual, (v) => -v);
    return { eta: sol.colValue[0]!, delta: sol.colValue.slice(1), lambda };
  }

  /** Free the HiGHS model. */
  dispose(): void {
    this.model.dispose();
  }
}

/**
 * HonestDiD's `.max_program`: max_λ f'λ s.t. W'λ = e₁, λ ≥ 0 (Rglpk's default bounds), with W fixed and
 * f changing between calls. Returns the optimum and the maximiser, or null when not optimal.
 */
export class MaxProgram {
  private readonly model: HighsModel;
  private readonly m: number;

  constructor(W: Float64Array, m: number, k1: number) {
    this.m = m;
    const A = new Float64Array(k1 * m);
    for (let r = 0; r < k1; r++) for (let i = 0; i < m; i++) A[r * m + i] = W[i * k1 + r]!;
    const rhs = new Float64Array(k1);
    rhs[0] = 1;
    this.model = newModel(A, k1, m, new Float64Array(m), rhs, Float64Array.from(rhs), new Float64Array(m), new Float64Array(m).fill(highs().infinity));
  }

  /** max f'λ over the polytope: its value and maximiser (null when HiGHS reports no optimum). */
  solve(f: Float64Array): { value: number; lambda: Float64Array } | null {
    this.model.changeColsCost(
      { kind: "range", from: 0, to: this.m - 1 },
      f.map((v) => -v),
    );
    this.model.run();
    if (this.model.getModelStatus() !== highs().constants.modelStatus.optimal) return null;
    const sol = this.model.getSolution();
    let v = 0;
    for (let i = 0; i < this.m; i++) v += f[i]! * sol.colValue[i]!;
    return { value: v, lambda: Float64Array.from(sol.colValue) };
  }

  /** Free the HiGHS model. */
  dispose(): void {
    this.model.dispose();
  }
}

/**
 * One LP max/min c'x s.t. A_le x ≤ b_le, A_eq x = b_eq, x free (the identified-set programmes).
 * Returns the optimal value or null (infeasible/unbounded).
 */
export function solveFreeLp(c: Float64Array, Ale: Float64Array, ble: Float64Array, Aeq: Float64Array, beq: Float64Array, maximise: boolean): number | null {
  const n = c.length,
    mle = ble.length,
    meq = beq.length,
    rows = mle + meq;
  const A = new Float64Array(rows * n);
  A.set(Ale.subarray(0, mle * n));
  A.set(Aeq.subarray(0, meq * n), mle * n);
  const inf = highs().infinity;
  const lo = new Float64Array(rows),
    up = new Float64Array(rows);
  for (let i = 0; i < mle; i++) {
    lo[i] = -inf;
    up[i] = ble[i]!;
  }
  for (let i = 0; i < meq; i++) lo[mle + i] = up[mle + i] = beq[i]!;
  const model = newModel(A, rows, n, maximise ? c.map((v) => -v) : c, lo, up, new Float64Array(n).fill(-inf), new Float64Array(n).fill(inf));
  try {
    model.run();
    if (model.getModelStatus() !== highs().constants.modelStatus.optimal) return null;
    const x = model.getSolution().colValue;
    let v = 0;
    for (let j = 0; j < n; j++) v += c[j]! * x[j]!;
    return v;
  } finally {
    model.dispose();
  }
}
