/**
 * fepois against first principles on small panels: plain Newton on the Poisson likelihood with explicit
 * dummies for the fixed effects, the PPML score equations at the solution, the sandwich variances built from
 * the dummy model, and the all-zero-group rule (one round and the iterated case with singletons).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Rng } from "../../src/core/rng.js";
import { mat, matmul, invSPD, type Mat } from "../../src/core/linalg.js";
import { allZeroKeep, fepois, type FepoisInput } from "../../src/estimators/fepois.js";
import { fepoisVcov } from "../../src/inference/fepois-vcov.js";
import { fepoisAnalysis } from "../../src/analyses/fepois.js";
import type { FixedEffectInput } from "../../src/estimators/feols.js";
import { assertClose } from "../helpers.js";

/** A Poisson draw by inversion (small means). */
function poisson(rng: Rng, lambda: number): number {
  let k = 0,
    p = Math.exp(-lambda),
    s = p;
  const u = rng.uniform();
  while (u > s && k < 1000) {
    k++;
    p *= lambda / k;
    s += p;
  }
  return k;
}

interface Panel {
  y: Float64Array;
  x1: Float64Array;
  x2: Float64Array;
  unit: FixedEffectInput;
  time: FixedEffectInput;
  w: Float64Array;
  off: Float64Array;
}

function panel(U: number, T: number, seed: number): Panel {
  const rng = new Rng(seed);
  const n = U * T;
  const y = new Float64Array(n),
    x1 = new Float64Array(n),
    x2 = new Float64Array(n),
    w = new Float64Array(n),
    off = new Float64Array(n);
  const uc = new Int32Array(n),
    tc = new Int32Array(n);
  const a = Array.from({ length: U }, () => rng.normal() * 0.5);
  const g = Array.from({ length: T }, () => rng.normal() * 0.3);
  for (let u = 0; u < U; u++)
    for (let t = 0; t < T; t++) {
      const i = u * T + t;
      uc[i] = u;
      tc[i] = t;
      x1[i] = rng.normal();
      x2[i] = rng.uniform() + 0.2 * x1[i]!;
      off[i] = Math.log(0.5 + rng.uniform());
      w[i] = 0.5 + rng.uniform();
      y[i] = poisson(rng, Math.exp(0.7 + 0.4 * x1[i]! - 0.3 * x2[i]! + a[u]! + g[t]! + off[i]!));
    }
  return { y, x1, x2, unit: { name: "unit", codes: uc, nLevels: U }, time: { name: "time", codes: tc, nLevels: T }, w, off };
}

/** Full design with dummies: [x1, x2, unit dummies (all), time dummies (all but the first)]. */
function dummyDesign(p: Panel): Float64Array[] {
  const n = p.y.length;
  const cols = [p.x1, p.x2];
  for (let g = 0; g < p.unit.nLevels; g++) cols.push(Float64Array.from({ length: n }, (_, i) => (p.unit.codes[i] === g ? 1 : 0)));
  for (let g = 1; g < p.time.nLevels; g++) cols.push(Float64Array.from({ length: n }, (_, i) => (p.time.codes[i] === g ? 1 : 0)));
  return cols;
}

/** Plain Newton–Raphson on ℓ(θ) = Σ ω (y η − e^η), η = Dθ + offset, from θ = 0 with log(ȳ) in the unit dummies. */
function newton(
  D: Float64Array[],
  nUnits: number,
  y: Float64Array,
  w: Float64Array | null,
  off: Float64Array | null,
): { theta: Float64Array; H: Mat; mu: Float64Array } {
  const n = y.length,
    p = D.length;
  const theta = new Float64Array(p);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i]!;
  ybar /= n;
  for (let j = 2; j < 2 + nUnits; j++) theta[j] = Math.log(ybar);
  const mu = new Float64Array(n);
  let H = mat(p, p);
  for (let it = 0; it < 200; it++) {
    for (let i = 0; i < n; i++) {
      let e = off ? off[i]! : 0;
      for (let j = 0; j < p; j++) e += D[j]![i]! * theta[j]!;
      mu[i] = Math.exp(e);
    }
    const s = new Float64Array(p);
    H = mat(p, p);
    for (let a = 0; a < p; a++) {
      for (let i = 0; i < n; i++) s[a]! += (w ? w[i]! : 1) * D[a]![i]! * (y[i]! - mu[i]!);
      for (let b = a; b < p; b++) {
        let v = 0;
        for (let i = 0; i < n; i++) v += (w ? w[i]! : 1) * mu[i]! * D[a]![i]! * D[b]![i]!;
        H.data[a * p + b] = v;
        H.data[b * p + a] = v;
      }
    }
    const Hi = invSPD(H);
    let step = 0;
    for (let a = 0; a < p; a++) {
      let d = 0;
      for (let b = 0; b < p; b++) d += Hi.data[a * p + b]! * s[b]!;
      theta[a]! += d;
      step = Math.max(step, Math.abs(d));
    }
    if (step < 1e-14) break;
  }
  return { theta, H, mu };
}

/** β-block of H⁻¹ (Σ_g s_g s_g') H⁻¹ with full dummy-model scores s_i = ω_i (y_i − μ_i) d_i. */
function sandwichBeta(D: Float64Array[], y: Float64Array, mu: Float64Array, w: Float64Array | null, H: Mat, cl: Int32Array | null): number[] {
  const n = y.length,
    p = D.length;
  const G = cl ? Math.max(...cl) + 1 : n;
  const S = new Float64Array(G * p);
  for (let i = 0; i < n; i++) {
    const g = cl ? cl[i]! : i;
    const u = (w ? w[i]! : 1) * (y[i]! - mu[i]!);
    for (let a = 0; a < p; a++) S[g * p + a]! += u * D[a]![i]!;
  }
  const M = mat(p, p);
  for (let g = 0; g < G; g++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) M.data[a * p + b]! += S[g * p + a]! * S[g * p + b]!;
  const Hi = invSPD(H);
  const V = matmul(matmul(Hi, M), Hi);
  return [V.data[0]!, V.data[1]!, V.data[p + 1]!];
}

for (const variant of ["plain", "weights+offset"] as const) {
  test(`fepois = Newton on the dummy-variable Poisson likelihood (${variant}); score equations hold; variances = dummy-model sandwiches`, () => {
    const p = panel(8, 5, variant === "plain" ? 11 : 12);
    const w = variant === "plain" ? null : p.w;
    const off = variant === "plain" ? null : p.off;
    const input: FepoisInput = {
      y: p.y,
      yName: "y",
      x: [
        { name: "x1", values: p.x1 },
        { name: "x2", values: p.x2 },
      ],
      fixedEffects: [p.unit, p.time],
      glmTol: 1e-14,
    };
    if (w) input.weights = w;
    if (off) input.offset = off;
    const fit = fepois(input);
    assert.equal(fit.nobs, p.y.length);
    const D = dummyDesign(p);
    const nt = newton(D, p.unit.nLevels, p.y, w, off);
    assertClose(fit.coef[0]!, nt.theta[0]!, 1e-9, "beta x1");
    assertClose(fit.coef[1]!, nt.theta[1]!, 1e-9, "beta x2");
    // PPML score equations at fepois's solution: Σ ω x (y − μ) = 0 for each regressor and each FE level
    const n = p.y.length;
    for (const [name, x] of [
      ["x1", p.x1],
      ["x2", p.x2],
    ] as const) {
      let s = 0,
        scale = 0;
      for (let i = 0; i < n; i++) {
        const wi = w ? w[i]! : 1;
        s += wi * x[i]! * (p.y[i]! - fit.mu[i]!);
        scale += wi * Math.abs(x[i]! * p.y[i]!);
      }
      assert.ok(Math.abs(s) < 1e-10 * scale, `score ${name} = ${s}`);
    }
    for (const fe of [p.unit, p.time]) {
      const s = new Float64Array(fe.nLevels);
      for (let i = 0; i < n; i++) s[fe.codes[i]!]! += (w ? w[i]! : 1) * (p.y[i]! - fit.mu[i]!);
      for (const v of s) assert.ok(Math.abs(v) < 1e-9, `FE score ${fe.name} = ${v}`);
    }
    // deviance at the solution
    let dev = 0;
    for (let i = 0; i < n; i++) {
      const yi = p.y[i]!,
        m = nt.mu[i]!;
      dev += 2 * (w ? w[i]! : 1) * ((yi > 0 ? yi * Math.log(yi / m) : 0) - (yi - m));
    }
    assertClose(fit.deviance, dev, 1e-10, "deviance");
    // iid: β-block of the inverse information × (n−1)/(n−K), K = every parameter of the dummy model
    const K = D.length,
      Pn = D.length;
    assert.equal(fit.nparams, K);
    const Hi = invSPD(nt.H);
    const cK = (n - 1) / (n - K);
    const vi = fepoisVcov(fit, { type: "iid" }).V.data;
    assertClose(vi[0]!, Hi.data[0]! * cK, 1e-7, "iid var x1");
    assertClose(vi[3]!, Hi.data[Pn + 1]! * cK, 1e-7, "iid var x2");
    assertClose(vi[1]!, Hi.data[1]! * cK, 1e-7, "iid cov");
    // hetero: sandwich × n/(n−1) × (n−1)/(n−K)
    const sh = sandwichBeta(D, p.y, nt.mu, w, nt.H, null);
    const vh = fepoisVcov(fit, { type: "hc1" }).V.data;
    const ch = (n / (n - 1)) * cK;
    assertClose(vh[0]!, sh[0]! * ch, 1e-7, "hetero var x1");
    assertClose(vh[1]!, sh[1]! * ch, 1e-7, "hetero cov");
    assertClose(vh[3]!, sh[2]! * ch, 1e-7, "hetero var x2");
    // cluster by unit: unit FE nested ⇒ K = parameters − (L_unit − 1); × G/(G−1)
    const sc = sandwichBeta(D, p.y, nt.mu, w, nt.H, p.unit.codes);
    const vc = fepoisVcov(fit, { type: "cluster", clusters: [p.unit] });
    const G = p.unit.nLevels,
      Kc = K - (G - 1);
    const cc = (G / (G - 1)) * ((n - 1) / (n - Kc));
    assertClose(vc.V.data[0]!, sc[0]! * cc, 1e-7, "cluster var x1");
    assertClose(vc.V.data[3]!, sc[2]! * cc, 1e-7, "cluster var x2");
  });
}

test("IRLS iteration count and deviance path follow fixest's stopping rule (|ΔD|/(0.1+|D|) < 1e-8)", () => {
  const p = panel(30, 6, 5);
  const a = fepois({ y: p.y, yName: "y", x: [{ name: "x1", values: p.x1 }], fixedEffects: [p.unit, p.time] });
  const b = fepois({ y: p.y, yName: "y", x: [{ name: "x1", values: p.x1 }], fixedEffects: [p.unit, p.time], glmTol: 1e-14 });
  assert.ok(a.converged && b.converged);
  assert.ok(a.iterations < b.iterations, `${a.iterations} < ${b.iterations}`);
  assertClose(a.coef[0]!, b.coef[0]!, 1e-7, "default tolerance already at the solution");
});

/** A tiny two-way panel given as rows [unit, group, y]. */
function rowsToInput(rows: [number, number, number][], x?: number[]): FepoisInput {
  const U = Math.max(...rows.map((r) => r[0])) + 1,
    G = Math.max(...rows.map((r) => r[1])) + 1;
  return {
    y: Float64Array.from(rows, (r) => r[2]),
    yName: "y",
    x: [{ name: "x", values: Float64Array.from(x ?? rows.map((_, i) => Math.sin(i + 1))) }],
    fixedEffects: [
      { name: "unit", codes: Int32Array.from(rows, (r) => r[0]), nLevels: U },
      { name: "group", codes: Int32Array.from(rows, (r) => r[1]), nLevels: G },
    ],
  };
}

test("all-zero fixed-effect groups are removed (fixest fixef.rm = 'perfect') and the fit equals the fit without them", () => {
  // unit 3 has only zeros (3 rows); group 3 has only zeros (2 more rows, in units 0 and 1)
  const rows: [number, number, number][] = [
    [0, 0, 2],
    [0, 1, 0],
    [0, 2, 5],
    [0, 3, 0],
    [1, 0, 1],
    [1, 1, 3],
    [1, 2, 0],
    [1, 3, 0],
    [2, 0, 4],
    [2, 1, 1],
    [2, 2, 2],
    [3, 0, 0],
    [3, 1, 0],
    [3, 2, 0],
    [4, 0, 3],
    [4, 1, 2],
    [4, 2, 6],
  ];
  const input = rowsToInput(rows);
  const r = allZeroKeep(input.y, input.fixedEffects, false);
  assert.equal(r.zero, 5);
  assert.deepEqual(r.levels, [1, 1]);
  const fit = fepois(input);
  assert.equal(fit.feAllZeroRemoved, 5);
  assert.equal(fit.nobs, rows.length - 5);
  assert.deepEqual(fit.feLevelsRemoved, { unit: 1, group: 1 });
  const kept = rows.map((row, i) => [row, i] as const).filter(([row]) => row[0] !== 3 && row[1] !== 3);
  const ref = fepois(
    rowsToInput(
      kept.map(([row]) => row),
      kept.map(([, i]) => Math.sin(i + 1)),
    ),
  );
  assert.equal(ref.feAllZeroRemoved, 0);
  assert.equal(fit.coef[0], ref.coef[0]);
  assert.equal(fit.deviance, ref.deviance);
});

test("an outcome that is 0 everywhere is refused", () => {
  const input = rowsToInput([
    [0, 0, 0],
    [0, 1, 0],
    [1, 0, 0],
    [1, 1, 0],
  ]);
  assert.throws(() => fepois(input), /is 0 everywhere/);
});

test("all-zero rule iterated with singletons: a removed singleton leaves a group with only zeros, which goes next", () => {
  // unit 4 is a singleton (y = 3) in group 2; group 2's other rows are zeros ⇒ after the singleton goes,
  // group 2 is all-zero and its rows go too; that leaves unit 3 with a single row ⇒ a singleton again
  const rows: [number, number, number][] = [
    [0, 0, 2],
    [0, 1, 1],
    [0, 2, 0],
    [1, 0, 1],
    [1, 1, 3],
    [1, 2, 0],
    [2, 0, 4],
    [2, 1, 2],
    [3, 1, 5],
    [3, 2, 0],
    [4, 2, 3],
  ];
  const input = rowsToInput(rows);
  const once = allZeroKeep(input.y, input.fixedEffects, false);
  assert.equal(once.keep, null, "no all-zero group before singletons are removed");
  const r = allZeroKeep(input.y, input.fixedEffects, true);
  // removed: [4,2,3] (singleton), then [0,2,0] [1,2,0] [3,2,0] (group 2 all zero), then [3,1,5] (unit 3 singleton)
  assert.equal(r.singletons, 2);
  assert.equal(r.zero, 3);
  assert.deepEqual(Array.from(r.keep!), [0, 1, 3, 4, 6, 7]);
  const fit = fepois({ ...input, removeSingletons: true });
  assert.equal(fit.nobs, 6);
  assert.equal(fit.feAllZeroRemoved, 3);
  assert.equal(fit.singletonsRemoved, 2);
  assert.deepEqual(fit.feLevelsRemoved, { unit: 2, group: 1 });
});

test("negative outcomes are refused naming the file row and column; log(0) rows are dropped and counted as missing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fepois-"));
  const bad = join(dir, "neg.csv");
  writeFileSync(bad, "y,x,u,t\n1,0.5,a,1\n2,0.1,a,2\n-1,0.3,b,1\n3,0.2,b,2\n");
  await assert.rejects(
    fepoisAnalysis({ data: bad, formula: "y ~ x | u + t" }),
    /neg\.csv, row 3, column 'y': the Poisson outcome must be zero or positive, found -1/,
  );
  const zero = join(dir, "zero.csv");
  const lines = ["y,x,u,t"];
  const rng = new Rng(3);
  for (let u = 0; u < 10; u++)
    for (let t = 0; t < 4; t++) lines.push(`${poisson(rng, 2)},${u === 2 && t === 1 ? 0 : (rng.uniform() + 0.1).toFixed(6)},u${u},${t}`);
  writeFileSync(zero, lines.join("\n") + "\n");
  const r = await fepoisAnalysis({ data: zero, formula: "y ~ log(x) | u + t" });
  assert.equal(r.dropped.missing, 1);
  assert.deepEqual(r.dropped.missing_by_column, { "log(x)": 1 });
  assert.equal(r.nobs, 39);
  assert.match(r.warnings!.join("\n"), /1 observation removed because of infinite values \(log\(x\): 1\)/);
  assert.equal(r.estimates[0]!.term, "log(x)");
  // zero weights: removed before estimation (fixest: "removed because of 0-weight"); same fit as without the rows
  const wl = lines.map((l, i) => (i === 0 ? l + ",w" : `${l},${i % 7 === 0 ? 0 : 1 + (i % 3)}`));
  const wfile = join(dir, "w.csv");
  writeFileSync(wfile, wl.join("\n") + "\n");
  const wr = await fepoisAnalysis({ data: wfile, formula: "y ~ sqrt(x) | u + t", weights: "w" });
  const nz = wl.slice(1).filter((l) => !l.endsWith(",0")).length;
  assert.equal(wr.nobs, nz);
  assert.equal(wr.dropped.zero_weight, wl.length - 1 - nz);
  const wfile2 = join(dir, "w2.csv");
  writeFileSync(wfile2, [wl[0], ...wl.slice(1).filter((l) => !l.endsWith(",0"))].join("\n") + "\n");
  const wr2 = await fepoisAnalysis({ data: wfile2, formula: "y ~ sqrt(x) | u + t", weights: "w" });
  assert.equal(wr.estimates[0]!.estimate, wr2.estimates[0]!.estimate);
  assert.equal(wr.estimates[0]!.std_error, wr2.estimates[0]!.std_error);
});
