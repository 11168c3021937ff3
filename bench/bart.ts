/**
 * BART bench: Friedman's function (n = 1000, p = 10, σ = 1) at the R BART defaults (200 trees, 100 burn-in,
 * 1000 kept draws): out-of-sample RMSE of f on 1000 new points, and the time for a panel-sized fit
 * (n = 9570 = 435 × 22, p = 25). Usage: node dist/bench/bart.js
 */
import { bart } from "../src/estimators/bart.js";
import { Rng } from "../src/core/rng.js";
import { timed } from "./util.js";

function friedman(rng: Rng, n: number, p: number) {
  const X = Array.from({ length: p }, () => new Float64Array(n));
  const f = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < p; v++) X[v]![i] = rng.uniform();
    const x = (v: number) => X[v]![i]!;
    f[i] = 10 * Math.sin(Math.PI * x(0) * x(1)) + 20 * (x(2) - 0.5) ** 2 + 10 * x(3) + 5 * x(4);
    y[i] = f[i]! + rng.normal();
  }
  return { X, f, y };
}

const reps = Number(process.argv[2] ?? 3);
const rmses: number[] = [];
for (let r = 0; r < reps; r++) {
  const rng = new Rng(100 + r);
  const tr = friedman(rng, 1000, 10), te = friedman(rng, 1000, 10);
  const { value: fit } = await timed(`Friedman n=1000 p=10, 200 trees, 1100 iter (rep ${r + 1})`, () => bart(tr.X, tr.y, { seed: r + 1, xTest: te.X }));
  let se = 0;
  for (let i = 0; i < 1000; i++) se += (fit.testMean![i]! - te.f[i]!) ** 2;
  rmses.push(Math.sqrt(se / 1000));
  console.log(`  out-of-sample RMSE(f) ${rmses[r]!.toFixed(4)}; posterior mean σ ${(fit.sigma.reduce((a, b) => a + b, 0) / fit.ndpost).toFixed(4)}; acceptance ${fit.acceptance.toFixed(3)}`);
}
console.log(`mean RMSE over ${reps} data sets: ${(rmses.reduce((a, b) => a + b, 0) / reps).toFixed(4)}`);

const rng = new Rng(7);
const big = friedman(rng, 9570, 25);
await timed("panel-sized fit n=9570 p=25, 200 trees, 1100 iter, test n=9570", () => bart(big.X, big.y, { seed: 1, xTest: big.X }));
