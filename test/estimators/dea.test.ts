/**
 * DEA: textbook examples (METHODS.md §14.9) and a brute-force check of every score through the
 * multiplier (dual) LP on random data.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dea, type DeaRts } from "../../src/estimators/dea.js";
import { highsRuntime } from "../../src/estimators/dea-highs.js";
import { KeytechError } from "../../src/core/errors.js";
import { Rng } from "../../src/core/rng.js";
import { assertClose } from "../helpers.js";

const cols = (rows: number[][], ks: number[]) => ks.map((k) => Float64Array.from(rows.map((r) => r[k]!)));

// Cooper, Seiford & Tone (2007), "Data Envelopment Analysis", 2nd ed., Table 1.5: 12 hospitals,
// inputs doctors and nurses, outputs outpatients and inpatients.
const HOSP = [
  [20, 151, 100, 90],
  [19, 131, 150, 50],
  [25, 160, 160, 55],
  [27, 168, 180, 72],
  [22, 158, 94, 66],
  [55, 255, 230, 90],
  [33, 235, 220, 88],
  [31, 206, 152, 80],
  [30, 244, 190, 100],
  [50, 268, 250, 100],
  [53, 306, 260, 147],
  [38, 284, 250, 120],
];
const hosp = { inputs: cols(HOSP, [0, 1]), outputs: cols(HOSP, [2, 3]) };
const eff = (s: { efficiency: number | null }[]) => s.map((x) => x.efficiency);

test("DEA: CST hospital example, CCR-input scores as published (3 decimals)", async () => {
  const published = [1, 1, 0.883, 1, 0.763, 0.835, 0.902, 0.796, 0.96, 0.871, 0.955, 0.958];
  const got = eff(await dea(hosp, { rts: "crs", orientation: "input" }));
  got.forEach((g, k) => assert.ok(Math.abs(g! - published[k]!) <= 5e-4, `hospital ${k}: ${g} vs ${published[k]}`));
  // Output-oriented CCR gives the same scores (1/φ = θ under CRS).
  const out = eff(await dea(hosp, { rts: "crs", orientation: "output" }));
  out.forEach((g, k) => assertClose(g!, got[k]!, 1e-9));
});

test("DEA: CST hospital example, BCC-input and CCR super-efficiency (METHODS §14.9 values)", async () => {
  const bcc = [1, 1, 0.896, 1, 0.882, 0.939, 1, 0.799, 0.989, 1, 1, 1];
  eff(await dea(hosp, { rts: "vrs" })).forEach((g, k) => assert.ok(Math.abs(g! - bcc[k]!) <= 5e-4, `BCC ${k}: ${g}`));
  const sup = eff(await dea(hosp, { rts: "crs", superEfficiency: true }));
  assert.ok(Math.abs(sup[0]! - 1.408) <= 5e-4 && Math.abs(sup[1]! - 1.184) <= 5e-4 && Math.abs(sup[3]! - 1.016) <= 5e-4);
  const ccr = eff(await dea(hosp, { rts: "crs" }));
  for (const k of [2, 4, 5, 6, 7, 8, 9, 10, 11]) assertClose(sup[k]!, ccr[k]!, 1e-9);
});

test("DEA: Coelli, Rao, O'Donnell & Battese (2005) two-input and one-input examples", async () => {
  // (y; x1, x2) — Coelli et al. (2005), "An Introduction to Efficiency and Productivity Analysis", ch. 8 example.
  const f2 = [
    [1, 2, 5],
    [2, 2, 4],
    [3, 6, 6],
    [1, 3, 2],
    [2, 6, 2],
  ];
  const d2 = { inputs: cols(f2, [1, 2]), outputs: cols(f2, [0]) };
  const crs = eff(await dea(d2, { rts: "crs" }));
  [0.5, 1, 5 / 6, 5 / 7, 1].forEach((e, k) => assertClose(crs[k]!, e, 1e-9, `CRS firm ${k + 1}`));
  eff(await dea(d2, { rts: "vrs" })).forEach((g) => assertClose(g!, 1, 1e-9));
  const sup = eff(await dea(d2, { rts: "crs", superEfficiency: true }));
  assertClose(sup[1]!, 2, 1e-9);
  assertClose(sup[4]!, 2, 1e-9);
  // (y; x) one input, one output — Coelli et al. (2005) ch. 8, scale-efficiency example.
  const f1 = [
    [1, 2],
    [2, 4],
    [3, 3],
    [1, 5],
    [3, 6],
  ];
  const d1 = { inputs: cols(f1, [1]), outputs: cols(f1, [0]) };
  const c1 = eff(await dea(d1, { rts: "crs" }));
  const v1 = eff(await dea(d1, { rts: "vrs" }));
  [0.5, 0.5, 1, 0.2, 0.5].forEach((e, k) => assertClose(c1[k]!, e, 1e-9));
  [1, 0.625, 1, 0.4, 0.5].forEach((e, k) => assertClose(v1[k]!, e, 1e-9));
  // Brute force for 1 input / 1 output under CRS: θ_o = (y_o/x_o) / max_j (y_j/x_j).
  const best = Math.max(...f1.map((r) => r[0]! / r[1]!));
  f1.forEach((r, k) => assertClose(c1[k]!, r[0]! / r[1]! / best, 1e-12));
});

/** Multiplier (dual) form, solved as a separate LP; returns θ (input) or φ (output). */
async function multiplier(X: Float64Array[], Y: Float64Array[], o: number, rts: DeaRts, orient: "input" | "output"): Promise<number> {
  const highs = await highsRuntime();
  const m = X.length,
    s = Y.length,
    n = X[0]!.length;
  // columns: v_1..v_m, u_1..u_s, u0 ; rows: normalisation, then one per DMU j
  const nc = m + s + 1;
  const inf = highs.infinity;
  const u0Lower = rts === "vrs" || rts === "ndrs" ? -inf : 0;
  const u0Upper = rts === "vrs" || rts === "nirs" ? inf : 0;
  const colCost = new Float64Array(nc);
  const starts = [0],
    idx: number[] = [],
    val: number[] = [];
  const rowLower: number[] = [],
    rowUpper: number[] = [];
  if (orient === "input") {
    // max u·y_o − u0 s.t. v·x_o = 1, u·y_j − v·x_j − u0 ≤ 0
    for (let r = 0; r < s; r++) colCost[m + r] = Y[r]![o]!;
    colCost[m + s] = -1;
    for (let i = 0; i < m; i++) {
      idx.push(i);
      val.push(X[i]![o]!);
    }
    starts.push(idx.length);
    rowLower.push(1);
    rowUpper.push(1);
  } else {
    // min v·x_o + v0 s.t. u·y_o = 1, u·y_j − v·x_j − v0 ≤ 0   (v0 in the u0 column)
    for (let i = 0; i < m; i++) colCost[i] = X[i]![o]!;
    colCost[m + s] = 1;
    for (let r = 0; r < s; r++) {
      idx.push(m + r);
      val.push(Y[r]![o]!);
    }
    starts.push(idx.length);
    rowLower.push(1);
    rowUpper.push(1);
  }
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      idx.push(i);
      val.push(-X[i]![j]!);
    }
    for (let r = 0; r < s; r++) {
      idx.push(m + r);
      val.push(Y[r]![j]!);
    }
    idx.push(m + s);
    val.push(-1);
    starts.push(idx.length);
    rowLower.push(-inf);
    rowUpper.push(0);
  }
  const colLower = new Float64Array(nc),
    colUpper = new Float64Array(nc).fill(inf);
  // Σλ ≤ 1 (NIRS) gives a multiplier u0 ≥ 0, Σλ ≥ 1 (NDRS) u0 ≤ 0, in both orientations.
  colLower[m + s] = u0Lower;
  colUpper[m + s] = u0Upper;
  const model = highs.createModel({
    numCols: nc,
    numRows: n + 1,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    sense: orient === "input" ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    matrix: { format: "csr", numRows: n + 1, numCols: nc, starts, indices: idx, values: val },
  });
  try {
    model.options.set({ output_flag: false, primal_feasibility_tolerance: 1e-10, dual_feasibility_tolerance: 1e-10 });
    model.run();
    assert.equal(model.getModelStatus(), highs.constants.modelStatus.optimal);
    return model.getObjectiveValue();
  } finally {
    model.dispose();
  }
}

test("DEA: envelopment scores equal the multiplier (dual) LP on random data to 1e-8", async () => {
  const rng = new Rng(20251125);
  const n = 25,
    m = 3,
    s = 2;
  const X = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => 1 + 99 * rng.uniform()));
  const Y = Array.from({ length: s }, () => Float64Array.from({ length: n }, () => 0.5 + 20 * rng.uniform()));
  const cases: [DeaRts, "input" | "output"][] = [
    ["crs", "input"],
    ["vrs", "input"],
    ["nirs", "input"],
    ["ndrs", "input"],
    ["crs", "output"],
    ["vrs", "output"],
    ["nirs", "output"],
    ["ndrs", "output"],
  ];
  for (const [rts, orient] of cases) {
    const scores = await dea({ inputs: X, outputs: Y }, { rts, orientation: orient });
    for (let o = 0; o < n; o++) {
      const dual = await multiplier(X, Y, o, rts, orient);
      const primal = orient === "input" ? scores[o]!.efficiency! : scores[o]!.phi!;
      assert.ok(Math.abs(primal - dual) <= 1e-8, `${rts}/${orient} DMU ${o}: envelopment ${primal} vs multiplier ${dual}`);
    }
  }
});

test("DEA: second-phase slacks and super-efficiency infeasibility", async () => {
  const scores = await dea(hosp, { rts: "crs", slacks: true });
  // Hospital C (index 2) is radially inefficient with an input slack on doctors (CST Table 3.x analysis).
  assert.ok(scores[2]!.slackInputs![0]! > 1);
  assert.equal(scores[0]!.strongEfficient, true);
  // E: θ < 1 ⇒ not strongly efficient
  assert.equal(scores[4]!.strongEfficient, false);
  // Under VRS, the DMU with the largest output cannot be enveloped by the others → infeasible → null + reason.
  const d = { inputs: [Float64Array.from([2, 3, 4])], outputs: [Float64Array.from([1, 2, 5])] };
  const sup = await dea(d, { rts: "vrs", superEfficiency: true });
  assert.equal(sup[2]!.efficiency, null);
  assert.match(sup[2]!.reason!, /infeasible/);
});

test("DEA: degenerate data gives a located error, zero outputs a documented result", async () => {
  const bad = async (inputs: number[][], outputs: number[][], re: RegExp) => {
    await assert.rejects(
      dea({
        inputs: inputs.map((c) => Float64Array.from(c)),
        outputs: outputs.map((c) => Float64Array.from(c)),
        inputNames: ["rd_staff", "rd_capital"],
        outputNames: ["patents"],
        file: "f.csv",
        rows: [2, 3, 4],
      }),
      (e: unknown) => e instanceof KeytechError && re.test(e.message),
    );
  };
  await bad(
    [
      [1, -2, 3],
      [1, 1, 1],
    ],
    [[1, 1, 1]],
    /f\.csv, row 3, column 'rd_staff': negative/,
  );
  await bad(
    [
      [1, NaN, 3],
      [1, 1, 1],
    ],
    [[1, 1, 1]],
    /row 3, column 'rd_staff': missing/,
  );
  await bad(
    [
      [1, 0, 3],
      [1, 0, 1],
    ],
    [[1, 1, 1]],
    /row 3.*every input is zero/,
  );
  const z = await dea({ inputs: [Float64Array.from([1, 2, 3])], outputs: [Float64Array.from([1, 0, 3])] }, { orientation: "output" });
  assert.equal(z[1]!.efficiency, 0);
  assert.match(z[1]!.reason!, /zero outputs/);
  const zi = await dea({ inputs: [Float64Array.from([1, 2, 3])], outputs: [Float64Array.from([1, 0, 3])] }, { orientation: "input" });
  assert.equal(zi[1]!.efficiency, 0);
});

test("keytech dea CLI: per-period scores as JSON, errors exit 1 naming row and column", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { runCli } = await import("../helpers.js");
  const dir = mkdtempSync(join(tmpdir(), "kt-dea-"));
  const f = join(dir, "h.csv");
  const lines = ["unit,year,doctors,nurses,outpatients,inpatients"];
  for (const y of [2020, 2021]) HOSP.forEach((r, k) => lines.push([String.fromCharCode(65 + k), y, ...r].join(",")));
  writeFileSync(f, lines.join("\n") + "\n");
  const r = runCli(["dea", "--data", f, "--id", "unit", "--inputs", "doctors,nurses", "--outputs", "outpatients,inpatients", "--by", "year", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { command: string; scores: { id: string; period: number; efficiency: number }[] };
  assert.equal(j.command, "dea");
  assert.equal(j.scores.length, 24);
  const c2021 = j.scores.find((s) => s.id === "C" && s.period === 2021)!;
  assert.ok(Math.abs(c2021.efficiency - 0.883) < 5e-4);
  writeFileSync(f, "unit,x,y\nA,1,2\nB,-1,3\n");
  const bad = runCli(["dea", "--data", f, "--id", "unit", "--inputs", "x", "--outputs", "y"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /row 2, column 'x': negative/);
  const usage = runCli(["dea", "--data", f, "--id", "unit", "--inputs", "x", "--outputs", "y", "--rts", "foo"]);
  assert.equal(usage.status, 2);
  // Input goes through the DuckDB data layer (src/data readTable) and its messages.
  const typo = runCli(["dea", "--data", f, "--id", "unit", "--inputs", "xx", "--outputs", "y"]);
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /column 'xx'.*no such column; the file has: unit, x, y; did you mean 'x'\?/);
  writeFileSync(f, "unit,x,y\nA,1,2\nB,abc,3\n");
  const text = runCli(["dea", "--data", f, "--id", "unit", "--inputs", "x", "--outputs", "y"]);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /row 2, column 'x'/);
  writeFileSync(f, "unit,x,y\nA,1,2\n,2,3\n");
  const noId = runCli(["dea", "--data", f, "--id", "unit", "--inputs", "x", "--outputs", "y"]);
  assert.equal(noId.status, 1);
  assert.match(noId.stderr, /row 2, column 'unit': missing value in a label column/);
  const pq = join(dir, "h.parquet");
  const { openDuck, sqlString } = await import("../../src/data/duck.js");
  const duck = await openDuck();
  writeFileSync(f, "unit,x,y\nA,1,2\nB,2,3\nC,4,3\n");
  await duck.con.run(`COPY (SELECT * FROM read_csv(${sqlString(f)})) TO ${sqlString(pq)} (FORMAT parquet)`);
  duck.close();
  const fromPq = runCli(["dea", "--data", pq, "--id", "unit", "--inputs", "x", "--outputs", "y", "--json"]);
  assert.equal(fromPq.status, 0, fromPq.stderr);
  assert.deepEqual(
    (JSON.parse(fromPq.stdout) as { scores: { efficiency: number }[] }).scores.map((s) => s.efficiency),
    [1, 0.75, 0.375],
  );
});
