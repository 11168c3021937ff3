/**
 * BART bench at the R BART defaults (200 trees, 100 burn-in, 1000 kept draws):
 *  1. Friedman's first function (n = 1000, p = 10, σ = 1): out-of-sample RMSE of f on 1000 new points;
 *  2. published comparison — Friedman's second function in the setting of Ouyang (2008, Duke PhD thesis,
 *     p. 58) as printed in the R `bark` package's example: 200 noisy training rows (σ = 125), 1000
 *     noise-free test rows, out-of-sample MSE of f; "BART (default): 5300 (sd. 1000)". Ours over
 *     `--f2 R` data sets (default 20) is printed next to it;
 *  3. the time of a panel-sized fit (n = 9570 = 435 × 22, p = 25);
 *  4. published comparison on Friedman's first function (`--f1pub D`, D data sets; 0 skips it): the
 *     design of the flexBART package's `timing_comparison` vignette (S. K. Deshpande, rendered
 *     2025-05-07): n = 10,000 training rows, 1,000 test rows, p = 50 predictors U(−1, 1), the
 *     Friedman function of (x + 1)/2 in columns 1, 2, 8, 17, 20, σ = 1; R `BART::wbart` at its
 *     defaults (200 trees) with nskip = 1000, ndpost = 1000, four chains whose posterior means are
 *     averaged; RMSE of f on the test rows: BART 0.258 (train 0.255), one data set. Ours runs the
 *     same four-chain protocol.
 * Usage: node dist/bench/bart.js [reps=3] [--f2 20] [--f1pub 1] [--f1pub-first 0] [--f1pub-only]. Prints wall and CPU seconds and peak RSS.
 */
import { bart } from "../src/estimators/bart/bart.js";
import { Rng } from "../src/core/rng.js";
import { friedman2 } from "../test/estimators/bart/friedman2.js";
import { peakRssMb, timed } from "./util.js";

function friedman(rng: Rng, n: number, p: number) {
  const X = Array.from({ length: p }, () => new Float64Array(n));
  const f = new Float64Array(n),
    y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < p; v++) X[v]![i] = rng.uniform();
    const x = (v: number) => X[v]![i]!;
    f[i] = 10 * Math.sin(Math.PI * x(0) * x(1)) + 20 * (x(2) - 0.5) ** 2 + 10 * x(3) + 5 * x(4);
    y[i] = f[i]! + rng.normal();
  }
  return { X, f, y };
}
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const arg = (name: string, def: string) => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1]! : def;
};

if (!process.argv.includes("--f1pub-only")) {
  const reps = Number(process.argv[2] && !process.argv[2].startsWith("--") ? process.argv[2] : 3);
  const rmses: number[] = [];
  let c0 = cpu();
  for (let r = 0; r < reps; r++) {
    const rng = new Rng(100 + r);
    const tr = friedman(rng, 1000, 10),
      te = friedman(rng, 1000, 10);
    const { value: fit } = await timed(`Friedman 1 n=1000 p=10, 200 trees, 1100 iter (rep ${r + 1})`, () => bart(tr.X, tr.y, { seed: r + 1, xTest: te.X }));
    let se = 0;
    for (let i = 0; i < 1000; i++) se += (fit.testMean![i]! - te.f[i]!) ** 2;
    rmses.push(Math.sqrt(se / 1000));
    console.log(
      `  out-of-sample RMSE(f) ${rmses[r]!.toFixed(4)}; posterior mean σ ${(fit.sigma.reduce((a, b) => a + b, 0) / fit.ndpost).toFixed(4)}; acceptance ${fit.acceptance.toFixed(3)}`,
    );
  }
  console.log(`Friedman 1: mean RMSE over ${reps} data sets ${(rmses.reduce((a, b) => a + b, 0) / reps).toFixed(4)}; CPU ${(cpu() - c0).toFixed(1)} s`);

  const R2 = Number(arg("--f2", "20"));
  const mses: number[] = [];
  c0 = cpu();
  const t0 = performance.now();
  for (let r = 0; r < R2; r++) {
    const rng = new Rng(500 + r);
    const tr = friedman2(rng, 200, 125),
      te = friedman2(rng, 1000, 0);
    const fit = bart(tr.X, tr.y, { seed: r + 1, xTest: te.X });
    let se = 0;
    for (let i = 0; i < 1000; i++) se += (fit.testMean![i]! - te.f[i]!) ** 2;
    mses.push(se / 1000);
  }
  const m2 = mses.reduce((a, b) => a + b, 0) / R2;
  const sd2 = Math.sqrt(mses.reduce((a, b) => a + (b - m2) ** 2, 0) / Math.max(1, R2 - 1));
  console.log(`Friedman 2 (n=200, p=4, σ=125; 1000 noise-free test rows), out-of-sample MSE of f over ${R2} data sets:`);
  console.log(`  keytech BART (defaults) ${m2.toFixed(0)} (sd ${sd2.toFixed(0)})   published BART (default), Ouyang 2008 / R bark: 5300 (sd 1000)`);
  console.log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${(cpu() - c0).toFixed(1)} s CPU`);

  const rng = new Rng(7);
  const big = friedman(rng, 9570, 25);
  c0 = cpu();
  await timed("panel-sized fit n=9570 p=25, 200 trees, 1100 iter, test n=9570", () => bart(big.X, big.y, { seed: 1, xTest: big.X }));
  console.log(`  CPU ${(cpu() - c0).toFixed(1)} s; peak RSS ${peakRssMb().toFixed(0)} MB`);
}

const D = Number(arg("--f1pub", "1"));
if (D > 0) {
  /** flexBART vignette design: x ~ U(−1, 1)^50, f = Friedman 1 of (x + 1)/2 in columns 1, 2, 8, 17, 20. */
  const design = (rng: Rng, n: number) => {
    const X = Array.from({ length: 50 }, () => new Float64Array(n));
    const f = new Float64Array(n),
      y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let v = 0; v < 50; v++) X[v]![i] = 2 * rng.uniform() - 1;
      const u = (col: number) => (X[col - 1]![i]! + 1) / 2;
      f[i] = 10 * Math.sin(Math.PI * u(1) * u(2)) + 20 * (u(8) - 0.5) ** 2 + 10 * u(17) + 5 * u(20);
      y[i] = f[i]! + rng.normal();
    }
    return { X, f, y };
  };
  const rmse = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);
  const test: number[] = [],
    train: number[] = [];
  const c1 = cpu(),
    t1 = performance.now();
  const first = Number(arg("--f1pub-first", "0"));
  for (let d = 0; d < D; d++) {
    const rng = new Rng(900 + first + d);
    const tr = design(rng, 10_000),
      te = design(rng, 1000);
    const mTr = new Float64Array(10_000),
      mTe = new Float64Array(1000);
    for (let chain = 0; chain < 4; chain++) {
      const fit = bart(tr.X, tr.y, { seed: 1000 * (first + d) + chain + 1, xTest: te.X, nskip: 1000, ndpost: 1000 });
      for (let i = 0; i < 10_000; i++) mTr[i] = mTr[i]! + fit.trainMean[i]! / 4;
      for (let i = 0; i < 1000; i++) mTe[i] = mTe[i]! + fit.testMean![i]! / 4;
    }
    test.push(rmse(mTe, te.f));
    train.push(rmse(mTr, tr.f));
    console.log(`  data set ${first + d + 1}: RMSE(f) test ${test[d]!.toFixed(3)}, train ${train[d]!.toFixed(3)}`);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  console.log(`Friedman 1, flexBART vignette design (n = 10000, p = 50, σ = 1; 4 chains × (1000 burn-in + 1000 kept)), over ${D} data set(s):`);
  console.log(
    `  keytech BART test RMSE(f) ${mean(test).toFixed(3)}, train ${mean(train).toFixed(3)}   published R BART::wbart: test 0.258, train 0.255 (one data set)`,
  );
  console.log(
    `  ${((performance.now() - t1) / 1000).toFixed(1)} s wall, ${(cpu() - c1).toFixed(1)} s CPU for ${4 * D} chains (the vignette: 383 s for its 4 wbart chains, on its own machine); peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
}
