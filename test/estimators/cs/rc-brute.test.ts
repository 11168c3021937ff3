/**
 * Repeated-cross-section 2×2 DID estimators (src/estimators/cs/drdid-rc.ts) against a slow, direct
 * implementation written from Sant'Anna & Zhao (2020): the outcome-regression estimator (their eq. 2.2 for
 * repeated cross sections), the Hájek IPW estimator (eq. 2.4 with normalised weights) and the locally
 * efficient DR estimator (eq. 3.4), with the propensity score by a plain logit Newton fit and the regressions
 * by normal equations. The influence function is checked against n·w_i·∂ATT/∂w_i (the empirical influence function) by central differences of the
 * slow estimator (the estimators are smooth in the sampling weights), on random data with covariates.
 *
 * DRDID's `drdid_rc` (and hence did) adds the OLS estimation effect of the base-period comparison regression
 * with the wrong sign: its IF equals the derivative plus 2·L_{0,pre}(M1_pre − M3_pre) (see drdid-rc.ts). The
 * engine reproduces DRDID by default and the derivative with `correctedIf`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../../src/core/rng.js";
import { drRc, regRc, stdIpwRc, type DrdidRcCell } from "../../../src/estimators/cs/drdid-rc.js";

interface Data {
  y: number[];
  post: number[];
  D: number[];
  X: number[][];
  w: number[];
}

function solve(A: number[][], b: number[]): number[] {
  const k = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let j = c; j <= k; j++) M[r]![j]! -= f * M[c]![j]!;
    }
  }
  return M.map((row, i) => row[k]! / row[i]!);
}

/** Weighted OLS of y on X over the rows where sel(i): coefficients. */
function ols(d: Data, sel: (i: number) => boolean): number[] {
  const k = d.X[0]!.length;
  const A = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const b = new Array<number>(k).fill(0);
  d.y.forEach((yi, i) => {
    if (!sel(i)) return;
    for (let p = 0; p < k; p++) {
      b[p]! += d.w[i]! * d.X[i]![p]! * yi;
      for (let q = 0; q < k; q++) A[p]![q]! += d.w[i]! * d.X[i]![p]! * d.X[i]![q]!;
    }
  });
  return solve(A, b);
}

/** Weighted logit MLE by Newton: fitted probabilities. */
function logit(d: Data): number[] {
  const k = d.X[0]!.length;
  let beta = new Array<number>(k).fill(0);
  for (let it = 0; it < 60; it++) {
    const A = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const g = new Array<number>(k).fill(0);
    d.y.forEach((_, i) => {
      const x = d.X[i]!;
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * beta[j]!, 0)));
      for (let a = 0; a < k; a++) {
        g[a]! += d.w[i]! * (d.D[i]! - p) * x[a]!;
        for (let c = 0; c < k; c++) A[a]![c]! += d.w[i]! * p * (1 - p) * x[a]! * x[c]!;
      }
    });
    const step = solve(A, g);
    beta = beta.map((v, j) => v + step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-15) break;
  }
  return d.X.map((x) => 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * beta[j]!, 0))));
}

const dot = (x: number[], b: number[]): number => x.reduce((s, v, j) => s + v * b[j]!, 0);
/** Σ a_i v_i / Σ a_i. */
const wmean = (a: number[], v: number[]): number => a.reduce((s, ai, i) => s + ai * v[i]!, 0) / a.reduce((s, ai) => s + ai, 0);

function slowReg(d: Data): number {
  const b0 = ols(d, (i) => d.D[i] === 0 && d.post[i] === 0),
    b1 = ols(d, (i) => d.D[i] === 0 && d.post[i] === 1);
  const tq = d.w.map((w, i) => w * d.D[i]! * d.post[i]!),
    tp = d.w.map((w, i) => w * d.D[i]! * (1 - d.post[i]!)),
    t = d.w.map((w, i) => w * d.D[i]!);
  return (
    wmean(tq, d.y) -
    wmean(tp, d.y) -
    wmean(
      t,
      d.X.map((x) => dot(x, b1) - dot(x, b0)),
    )
  );
}

function slowIpw(d: Data): number {
  const p = logit(d);
  const odds = d.w.map((w, i) => (w * p[i]! * (1 - d.D[i]!)) / (1 - p[i]!));
  const tq = d.w.map((w, i) => w * d.D[i]! * d.post[i]!),
    tp = d.w.map((w, i) => w * d.D[i]! * (1 - d.post[i]!));
  const cq = odds.map((o, i) => o * d.post[i]!),
    cp = odds.map((o, i) => o * (1 - d.post[i]!));
  return wmean(tq, d.y) - wmean(tp, d.y) - (wmean(cq, d.y) - wmean(cp, d.y));
}

/** Eq. (3.4): E[(ŵ11 − ŵ10)(Y − μ0(X))] − E[(ŵ01 − ŵ00)(Y − μ0(X))] + E[(ŵ1 − ŵ11)(μ11 − μ01)] − E[(ŵ1 − ŵ10)(μ10 − μ00)]. */
function slowDr(d: Data): number {
  const p = logit(d);
  const b00 = ols(d, (i) => d.D[i] === 0 && d.post[i] === 0),
    b01 = ols(d, (i) => d.D[i] === 0 && d.post[i] === 1);
  const b10 = ols(d, (i) => d.D[i] === 1 && d.post[i] === 0),
    b11 = ols(d, (i) => d.D[i] === 1 && d.post[i] === 1);
  const r = d.y.map((y, i) => y - dot(d.X[i]!, d.post[i] ? b01 : b00));
  const odds = d.w.map((w, i) => (w * p[i]! * (1 - d.D[i]!)) / (1 - p[i]!));
  const t1 = d.w.map((w, i) => w * d.D[i]!);
  const tq = t1.map((v, i) => v * d.post[i]!),
    tp = t1.map((v, i) => v * (1 - d.post[i]!));
  const cq = odds.map((o, i) => o * d.post[i]!),
    cp = odds.map((o, i) => o * (1 - d.post[i]!));
  const dq = d.X.map((x) => dot(x, b11) - dot(x, b01)),
    dp = d.X.map((x) => dot(x, b10) - dot(x, b00));
  return wmean(tq, r) - wmean(tp, r) - (wmean(cq, r) - wmean(cp, r)) + (wmean(t1, dq) - wmean(tq, dq)) - (wmean(t1, dp) - wmean(tp, dp));
}

/**
 * ψ_i = d/dε θ((1−ε)P_n + εδ_i) at 0 = n·w_i·∂θ/∂w_i (moving mass to observation i scales its weight),
 * by central differences on log w_i.
 */
function numericIf(d: Data, f: (d: Data) => number): number[] {
  const n = d.y.length;
  const h = 1e-5;
  return d.w.map((wi, i) => {
    const up = { ...d, w: d.w.map((v, j) => (j === i ? wi * (1 + h) : v)) };
    const dn = { ...d, w: d.w.map((v, j) => (j === i ? wi * (1 - h) : v)) };
    return (n * (f(up) - f(dn))) / (2 * h);
  });
}

function randomData(seed: number, n: number): Data {
  const rng = new Rng(seed);
  const d: Data = { y: [], post: [], D: [], X: [], w: [] };
  for (let i = 0; i < n; i++) {
    const x1 = rng.normal(),
      x2 = rng.uniform();
    const D = rng.uniform() < 1 / (1 + Math.exp(-(-0.3 + 0.6 * x1 - 0.5 * x2))) ? 1 : 0;
    const post = rng.uniform() < 0.5 ? 1 : 0;
    d.X.push([1, x1, x2]);
    d.D.push(D);
    d.post.push(post);
    d.y.push(1 + x1 + 0.5 * x2 * post + D * (0.4 + 0.8 * post + 0.3 * x1 * post) + 0.5 * rng.normal());
    d.w.push(0.5 + rng.uniform());
  }
  // mean-1 weights, as the engine normalises them (the derivative is then ψ_i)
  const m = d.w.reduce((s, v) => s + v, 0) / n;
  d.w = d.w.map((v) => v / m);
  return d;
}

function toCell(d: Data): DrdidRcCell {
  const k = d.X[0]!.length;
  return {
    y: Float64Array.from(d.y),
    post: Uint8Array.from(d.post),
    D: Uint8Array.from(d.D),
    X: Array.from({ length: k }, (_, q) => Float64Array.from(d.X.map((x) => x[q]!))),
    w: Float64Array.from(d.w),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
const maxAbs = (a: ArrayLike<number>): number => maxAbsDiff(a, new Float64Array(a.length));

for (const seed of [11, 12, 13]) {
  const d = randomData(seed, 160);
  const cell = toCell(d);
  test(`rc 2×2 (seed ${seed}): reg_did_rc and std_ipw_did_rc ATT = direct formulas (1e-10), ψ = n·w_i·∂ATT/∂w_i (1e-6)`, () => {
    for (const [name, eng, slow] of [
      ["reg", regRc, slowReg],
      ["ipw", stdIpwRc, slowIpw],
    ] as const) {
      const r = eng(cell);
      const s = slow(d);
      assert.ok(Math.abs(r.att - s) <= 1e-10 * Math.max(1, Math.abs(s)), `${name} ATT ${r.att} vs ${s}`);
      const num = numericIf(d, slow);
      const err = maxAbsDiff(r.inf, num) / maxAbs(num);
      assert.ok(err < 1e-6, `${name} IF vs numerical derivative: relative error ${err}`);
    }
  });
  test(`rc 2×2 (seed ${seed}): drdid_rc ATT = eq. (3.4); corrected ψ = n·w_i·∂ATT/∂w_i; DRDID's ψ = that + 2·L0pre(M1pre − M3pre)`, () => {
    const r = drRc(cell);
    const s = slowDr(d);
    assert.ok(Math.abs(r.att - s) <= 1e-10 * Math.max(1, Math.abs(s)), `DR ATT ${r.att} vs ${s}`);
    const num = numericIf(d, slowDr);
    const rc = drRc(cell, true);
    assert.equal(rc.att, r.att);
    const errC = maxAbsDiff(rc.inf, num) / maxAbs(num);
    assert.ok(errC < 1e-6, `corrected DR IF vs numerical derivative: relative error ${errC}`);
    // DRDID's term, computed directly: L0pre_i·v = w_i(1−D_i)(1−post_i)(y_i − X_iβ00)·X_i'(X'W00X/n)^{-1}v
    const n = d.y.length,
      k = 3;
    const p = logit(d);
    const b00 = ols(d, (i) => d.D[i] === 0 && d.post[i] === 0);
    const wtp = d.w.map((w, i) => w * d.D[i]! * (1 - d.post[i]!));
    const wcp = d.w.map((w, i) => (w * p[i]! * (1 - d.D[i]!) * (1 - d.post[i]!)) / (1 - p[i]!));
    const colMeanRatio = (a: number[]) =>
      Array.from({ length: k }, (_, q) => a.reduce((s2, ai, i) => s2 + ai * d.X[i]![q]!, 0) / a.reduce((s2, ai) => s2 + ai, 0));
    const m1 = colMeanRatio(wtp).map((v) => -v),
      m3 = colMeanRatio(wcp).map((v) => -v);
    const A = Array.from({ length: k }, (_, a) =>
      Array.from({ length: k }, (_, c) => d.y.reduce((s2, _y, i) => s2 + (d.D[i] === 0 && d.post[i] === 0 ? d.w[i]! * d.X[i]![a]! * d.X[i]![c]! : 0), 0) / n),
    );
    const v = solve(
      A,
      m1.map((x, q) => x - m3[q]!),
    );
    const extra = d.y.map((y, i) => (d.D[i] === 0 && d.post[i] === 0 ? 2 * d.w[i]! * (y - dot(d.X[i]!, b00)) * dot(d.X[i]!, v) : 0));
    const expected = num.map((x, i) => x + extra[i]!);
    const errD = maxAbsDiff(r.inf, expected) / maxAbs(expected);
    assert.ok(errD < 1e-6, `DRDID DR IF vs derivative + sign term: relative error ${errD}`);
    assert.ok(maxAbs(extra) > 1e-3 * maxAbs(num), "the sign term is not negligible on this data (the test can fail)");
  });
}

test("rc 2×2: a cell without comparison units in the base period is refused (NA in did)", () => {
  const d = randomData(3, 40);
  d.post = d.post.map((p, i) => (d.D[i] === 0 ? 1 : p));
  assert.throws(() => regRc(toCell(d)), /no comparison units in the base period/);
});
