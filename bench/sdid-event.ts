/**
 * Synthetic DID event study speed: `did sdid --event` on the 1,020 × 30 bench panel of bench/sdid.ts
 * (1,000 controls, 20 treated, 20 pre + 10 post periods): the point estimates (rel::0 … rel::9 and the
 * 20 pre-period placebos) and the 200-replication placebo SEs with their covariance, over --workers
 * threads and over one thread (checking the draws are bit-identical).
 * Usage: node dist/bench/sdid-event.js [--reps 200] [--workers W]
 */
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Rng } from "../src/core/rng.js";
import { sdid } from "../src/estimators/sdid/sdid.js";
import { eventTimes, sdidEventStudyBlock } from "../src/estimators/sdid/sdid-event.js";
import { sdidEventSeParallel, sdidSeParallel } from "../src/inference/sdid-variance.js";
import { simulatePanel } from "./sdid-sim.js";
import { peakRssMb } from "./util.js";

function arg(name: string, def: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : def;
}

async function measure<T>(label: string, fn: () => T | Promise<T>): Promise<{ value: T; wall: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  console.log(`${label.padEnd(60)} wall ${wall.toFixed(3)} s   CPU ${((c.user + c.system) / 1e6).toFixed(3)} s   peak RSS ${peakRssMb().toFixed(0)} MB`);
  return { value, wall };
}

const reps = arg("reps", 200);
const workers = arg("workers", availableParallelism());
const p = simulatePanel(1020, 30, 20, 10, 7);
console.log(
  `panel: 1020 units (20 treated) × 30 periods (10 post); ${reps} placebo replications; ${availableParallelism()} cores; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
const fit = sdid(p);
const ev = await measure("event study: point estimates (30 event times)", () => sdidEventStudyBlock(p, fit, { placebo: "all" }));
const rels = eventTimes([{ adoption: p.T0, panel: p }], { placebo: "all" });
console.log(
  `  rel::0 … rel::9: ${ev.value.terms
    .filter((t) => t.rel >= 0)
    .map((t) => t.estimate.toFixed(3))
    .join(" ")} (true effect 2)`,
);
const par = await measure(`event study: placebo SEs + vcov, ${reps} reps, ${workers} threads`, () =>
  sdidEventSeParallel("placebo", { design: "block", panel: p, fit }, rels, new Rng(1), { replications: reps, workers }),
);
const one = await measure(`event study: placebo SEs + vcov, ${reps} reps, 1 thread`, () =>
  sdidEventSeParallel("placebo", { design: "block", panel: p, fit }, rels, new Rng(1), { replications: reps, workers: 1 }),
);
const att = await measure(`ATT alone: placebo SE, ${reps} reps, ${workers} threads`, () =>
  sdidSeParallel("placebo", p, fit, new Rng(1), { replications: reps, workers }),
);
const identical = Buffer.compare(Buffer.from(par.value.draws.buffer), Buffer.from(one.value.draws.buffer)) === 0;
console.log(
  `  SE(ATT) ${par.value.se[0]!.toFixed(6)} (= ATT alone: ${par.value.se[0] === att.value.se}); SE(rel::0) ${par.value.se[1 + rels.indexOf(0)]!.toFixed(6)}; ${workers} threads vs 1 bit-identical: ${identical}`,
);
console.log(
  `load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
if (!identical || par.value.se[0] !== att.value.se) process.exitCode = 1;
