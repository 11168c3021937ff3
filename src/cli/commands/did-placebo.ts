/** `keytech did placebo`: counterfactual (random) pilots for the TWFE DID (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import type { PilotPool, PilotStrata } from "../../inference/placebo-pilots.js";
import { placeboAnalysis } from "../../analyses/placebo.js";
import { withRandomisationInference } from "../../analyses/inference-label.js";
import { addRedrawFlags } from "../flags.js";
import { action, countBar, emit, printWarnings } from "../run.js";
import { readRedrawTable, type RedrawFlags } from "./did-placebo-shared.js";

interface Flags extends RedrawFlags {
  cohort: string;
  strata: string;
  pool: string;
}

export function registerDidPlacebo(did: Command): void {
  const cmd = did
    .command("placebo")
    .description("counterfactual pilots: redraw fake pilot units (each cohort's size and year kept), re-estimate the TWFE DID, randomisation p-value");
  addRedrawFlags(cmd, "required", { help: "replications (placebo draws)", default: "500" })
    .option("--strata <s>", "none | rank (deciles of the pre-period mean outcome in the pool)", "none")
    .option("--pool <p>", "nonpilot (never-treated units) | all", "nonpilot")
    .action(
      action(async (o: Flags) => {
        if (!["none", "rank"].includes(o.strata)) throw usageError(`--strata must be none or rank, got '${o.strata}'`);
        if (!["nonpilot", "all"].includes(o.pool)) throw usageError(`--pool must be nonpilot or all, got '${o.pool}'`);
        const { t, reps, seed, xs, inputsHash } = await readRedrawTable(o, [o.cohort]);
        const bar = countBar("placebo pilots", reps);
        const res = placeboAnalysis(t, {
          y: o.y,
          unit: o.unit,
          time: o.time,
          cohort: o.cohort,
          x: xs,
          reps,
          seed,
          strata: o.strata as PilotStrata,
          pool: o.pool as PilotPool,
          inputsHash,
          onProgress: bar.onProgress,
        });
        bar.done();
        withRandomisationInference(res, "placebo pilot draws", reps);
        printWarnings(res);
        emit(res, Boolean(o.json), () => {
          const e = res.estimates[0]!;
          const pl = res.placebo as {
            mean: number;
            sd: number;
            quantiles: { p: number; value: number }[];
            pool_size: number;
            std_error_cluster: number;
            t_statistic: number;
            p_value_studentized: number;
          };
          const q = (p: number) => pl.quantiles.find((x) => x.p === p)!.value.toFixed(4);
          return (
            [
              `Counterfactual pilots: ${reps} draws (pool ${o.pool}, ${pl.pool_size} units; strata ${o.strata}; seed ${seed})`,
              `  real estimate (treat_post)   ${e.estimate!.toFixed(4)}   (cluster se ${pl.std_error_cluster.toFixed(4)}, t ${pl.t_statistic.toFixed(3)})`,
              `  placebo mean / sd            ${pl.mean.toFixed(4)} / ${pl.sd.toFixed(4)}`,
              `  placebo 2.5% / 50% / 97.5%   ${q(0.025)} / ${q(0.5)} / ${q(0.975)}`,
              `  randomisation p (two-sided)  ${e.p_value!.toFixed(4)}   studentised (|t_r| ≥ |t|) ${pl.p_value_studentized.toFixed(4)}`,
              `  standard errors: none for the randomisation p (${reps} placebo draws); the real estimate's cluster se is by ${o.unit}`,
            ].join("\n") + "\n"
          );
        });
      }),
    );
}
