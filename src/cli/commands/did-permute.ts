/** `keytech did permute`: Fisher permutation test of a split-sample DID coefficient difference (bdiff). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { progressBar } from "../../core/progress.js";
import { readTable } from "../../data/index.js";
import { permuteAnalysis } from "../../study/analyses/permute.js";
import { action, emit } from "../run.js";
import { parseIntFlag } from "./did-sdid.js";

interface Flags { data: string; y: string; unit: string; time: string; cohort?: string; treat?: string; group: string; x?: string; reps: string; seed: string; level: string; json?: boolean }

export function registerDidPermute(did: Command): void {
  did
    .command("permute")
    .description("Fisher permutation test of the difference of the TWFE DID coefficient between two groups (Stata bdiff semantics)")
    .requiredOption("--data <file>", "CSV or Parquet panel")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)")
    .option("--cohort <col>", "first treated period (0/empty = never); treat_post = 1{time ≥ cohort}")
    .option("--treat <col>", "0/1 treatment column (instead of --cohort)")
    .requiredOption("--group <col>", "0/1 column splitting the sample (d = b(group 0) − b(group 1))")
    .option("--x <cols>", "controls, comma separated")
    .option("--reps <n>", "permutations", "1000")
    .option("--seed <s>", "random seed", "1")
    .option("--level <l>", "unit (permute whole units; recommended) | obs (permute observations, as bdiff with reghdfe)", "unit")
    .option("--json", "print one JSON document")
    .action(action(async (o: Flags) => {
      if ((o.cohort === undefined) === (o.treat === undefined)) throw usageError("give exactly one of --cohort and --treat");
      if (!["obs", "unit"].includes(o.level)) throw usageError(`--level must be obs or unit, got '${o.level}'`);
      const reps = parseIntFlag("reps", o.reps, 2);
      const seed = parseIntFlag("seed", o.seed, 0);
      const xs = (o.x ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
      const t = await readTable(o.data, [
        { column: o.unit, type: "auto" },
        { column: o.time, type: "number" },
        { column: o.y, type: "number" },
        { column: o.group, type: "number" },
        ...(o.cohort ? [{ column: o.cohort, type: "number" as const }] : []),
        ...(o.treat ? [{ column: o.treat, type: "number" as const }] : []),
        ...xs.map((x) => ({ column: x, type: "number" as const })),
      ]);
      const bar = progressBar("permutations", reps);
      let last = 0;
      const res = permuteAnalysis(t, {
        y: o.y, unit: o.unit, time: o.time, group: o.group, x: xs, reps, seed, level: o.level as "obs" | "unit",
        ...(o.cohort ? { cohort: o.cohort } : {}), ...(o.treat ? { treat: o.treat } : {}),
        inputsHash: { [o.data]: await sha256File(o.data) },
        onProgress: (d) => { bar.tick(d - last); last = d; },
      });
      bar.done();
      for (const w of res.warnings ?? []) process.stderr.write(`keytech: warning: ${w}\n`);
      emit(res, Boolean(o.json), () => {
        const pm = res.permutation as { freq: number; q: number; p_bdiff: number; p_two_sided: number; valid: number };
        const [d, b0, b1] = res.estimates;
        return [
          `-Permutation (${reps} times, ${o.level} level)- Test of group (${o.group} 0 vs 1) coefficient difference`,
          `  b(group 0) ${b0!.estimate!.toFixed(4)}   b(group 1) ${b1!.estimate!.toFixed(4)}`,
          `  observed difference ${d!.estimate!.toFixed(4)}   Freq ${pm.freq}/${pm.valid}   q ${pm.q.toFixed(4)}`,
          `  empirical p (bdiff) ${pm.p_bdiff.toFixed(4)}   two-sided p ${pm.p_two_sided.toFixed(4)}`,
        ].join("\n") + "\n";
      });
    }));
}
