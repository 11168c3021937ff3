/** `keytech did permute`: Fisher permutation test of a split-sample DID coefficient difference (bdiff). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { permuteAnalysis } from "../../analyses/permute.js";
import { withRandomisationInference } from "../../analyses/inference-label.js";
import { addRedrawFlags, deprecate } from "../flags.js";
import { action, countBar, emit, printWarnings } from "../run.js";
import { readRedrawTable, type RedrawFlags } from "./did-placebo-shared.js";

interface Flags extends RedrawFlags {
  cohort?: string;
  treat?: string;
  group: string;
  permuteLevel: string;
}

export function registerDidPermute(did: Command): void {
  const cmd = did
    .command("permute")
    .description("Fisher permutation test of the difference of the TWFE DID coefficient between two groups (Stata bdiff semantics)");
  addRedrawFlags(cmd, "optional", { help: "permutations", default: "1000" })
    .requiredOption("--group <col>", "0/1 column splitting the sample (d = b(group 0) − b(group 1))")
    .option("--permute-level <l>", "unit (permute whole units; recommended) | obs (permute observations, as bdiff with reghdfe)", "unit");
  deprecate(cmd, "--level <l>", "--permute-level");
  cmd.action(
    action(async (o: Flags) => {
      if ((o.cohort === undefined) === (o.treat === undefined)) throw usageError("give exactly one of --cohort and --treat");
      if (!["obs", "unit"].includes(o.permuteLevel)) throw usageError(`--permute-level must be one of unit, obs, got '${o.permuteLevel}'`);
      const { t, reps, seed, xs, inputsHash } = await readRedrawTable(o, [o.group, ...(o.cohort ? [o.cohort] : []), ...(o.treat ? [o.treat] : [])]);
      const bar = countBar("permutations", reps);
      const res = permuteAnalysis(t, {
        y: o.y,
        unit: o.unit,
        time: o.time,
        group: o.group,
        x: xs,
        reps,
        seed,
        level: o.permuteLevel as "obs" | "unit",
        ...(o.cohort ? { cohort: o.cohort } : {}),
        ...(o.treat ? { treat: o.treat } : {}),
        inputsHash,
        onProgress: bar.onProgress,
      });
      bar.done();
      withRandomisationInference(res, "permutations", reps);
      printWarnings(res);
      emit(res, Boolean(o.json), () => {
        const pm = res.permutation as { freq: number; q: number; p_bdiff: number; p_two_sided: number; valid: number };
        const [d, b0, b1] = res.estimates;
        return (
          [
            `-Permutation (${reps} times, ${o.permuteLevel} level)- Test of group (${o.group} 0 vs 1) coefficient difference`,
            `  b(group 0) ${b0!.estimate!.toFixed(4)}   b(group 1) ${b1!.estimate!.toFixed(4)}`,
            `  observed difference ${d!.estimate!.toFixed(4)}   Freq ${pm.freq}/${pm.valid}   q ${pm.q.toFixed(4)}`,
            `  empirical p (bdiff) ${pm.p_bdiff.toFixed(4)}   two-sided p ${pm.p_two_sided.toFixed(4)}`,
            `  standard errors: none (permutation p-values, ${reps} permutations)`,
          ].join("\n") + "\n"
        );
      });
    }),
  );
}
