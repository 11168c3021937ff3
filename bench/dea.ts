/**
 * DEA bench: 435 DMUs × 22 years (one frontier per year), 3 inputs, 1 output, CRS and VRS input
 * orientation, plus super-efficiency: one HiGHS LP per DMU. Usage: node dist/bench/dea.js [--pooled]
 */
import { Rng } from "../src/core/rng.js";
import { deaAnalysis } from "../src/analyses/dea.js";
import { timed } from "./util.js";

const units = 435,
  years = 22,
  n = units * years;
const rng = new Rng(9);
const id: string[] = [],
  year: number[] = [];
const ins = [new Float64Array(n), new Float64Array(n), new Float64Array(n)],
  out = new Float64Array(n);
for (let u = 0; u < units; u++)
  for (let t = 0; t < years; t++) {
    const i = u * years + t;
    id.push(`c${u}`);
    year.push(2000 + t);
    for (const c of ins) c[i] = 1 + 100 * rng.uniform();
    out[i] = Math.pow(ins[0]![i]! * ins[1]![i]! * ins[2]![i]!, 0.3) * Math.exp(-Math.abs(rng.normal()) * 0.3);
  }
console.log(`DEA: ${units} DMUs × ${years} periods = ${n} LPs per run`);
const base = { id, period: year, inputs: ins.map((v, k) => ({ name: `x${k + 1}`, values: v })), outputs: [{ name: "y", values: out }] };
for (const rts of ["crs", "vrs"] as const) {
  await timed(`${rts.toUpperCase()} input, by year`, () => deaAnalysis({ ...base, rts }));
  await timed(`${rts.toUpperCase()} input, by year, super-efficiency`, () => deaAnalysis({ ...base, rts, superEfficiency: true }));
}
if (process.argv.includes("--pooled")) await timed("CRS input, pooled frontier (9,570 DMUs)", () => deaAnalysis({ ...base, period: null }));
