/** `keytech did placebo`: counterfactual (random) pilots for the TWFE DID (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { progressBar } from "../../core/progress.js";
import { readTable } from "../../data/index.js";
import type { PilotPool, PilotStrata } from "../../inference/placebo-pilots.js";
import { placeboAnalysis } from "../../study/analyses/placebo.js";
import { action, emit } from "../run.js";
import { parseIntFlag } from "./did-sdid.js";

interface Flags { data: string; y: string; unit: string; time: string; cohort: string; x?: string; reps: string; seed: string; strata: string; pool: string; json?: boolean }

export function registerDidPlacebo(did: Command): void {
  did
    .command("placebo")
    .description("counterfactual pilots: redraw fake pilot units (each cohort's size and year kept), re-estimate the TWFE DID, randomisation p-value")
    .requiredOption("--data <file>", "CSV or Parquet panel")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)")
    .requiredOption("--cohort <col>", "first treated period; 0 or empty = never treated")
    .option("--x <cols>", "controls, comma separated")
    .option("--reps <n>", "replications", "500")
    .option("--seed <s>", "random seed", "1")
    .option("--strata <s>", "none | rank (deciles of the pre-period mean outcome in the pool)", "none")
    .option("--pool <p>", "nonpilot (never-treated units) | all", "nonpilot")
    .option("--json", "print one JSON document")
    .action(action(async (o: Flags) => {
      if (!["none", "rank"].includes(o.strata)) throw usageError(`--strata must be none or rank, got '${o.strata}'`);
      if (!["nonpilot", "all"].includes(o.pool)) throw usageError(`--pool must be nonpilot or all, got '${o.pool}'`);
      const reps = parseIntFlag("reps", o.reps, 2);
      const seed = parseIntFlag("seed", o.seed, 0);
      const xs = (o.x ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
      const t = await readTable(o.data, [
        { column: o.unit, type: "auto" },
        { column: o.time, type: "number" },
        { column: o.y, type: "number" },
        { column: o.cohort, type: "number" },
        ...xs.map((x) => ({ column: x, type: "number" as const })),
      ]);
      const bar = progressBar("placebo pilots", reps);
      let last = 0;
      const res = placeboAnalysis(t, {
        y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, x: xs, reps, seed,
        strata: o.strata as PilotStrata, pool: o.pool as PilotPool,
        inputsHash: { [o.data]: await sha256File(o.data) },
        onProgress: (d) => { bar.tick(d - last); last = d; },
      });
      bar.done();
      for (const w of res.warnings ?? []) process.stderr.write(`keytech: warning: ${w}\n`);
      emit(res, Boolean(o.json), () => {
        const e = res.estimates[0]!;
        const pl = res.placebo as { mean: number; sd: number; quantiles: { p: number; value: number }[]; pool_size: number };
        const q = (p: number) => pl.quantiles.find((x) => x.p === p)!.value.toFixed(4);
        return [
          `Counterfactual pilots: ${reps} draws (pool ${o.pool}, ${pl.pool_size} units; strata ${o.strata}; seed ${seed})`,
          `  real estimate (treat_post)   ${e.estimate!.toFixed(4)}`,
          `  placebo mean / sd            ${pl.mean.toFixed(4)} / ${pl.sd.toFixed(4)}`,
          `  placebo 2.5% / 50% / 97.5%   ${q(0.025)} / ${q(0.5)} / ${q(0.975)}`,
          `  randomisation p (two-sided)  ${e.p_value!.toFixed(4)}`,
        ].join("\n") + "\n";
      });
    }));
}
