/**
 * `keytech did honest --from FILE [--restriction rm|sd] [--mbar LIST] [--m LIST] [--method flci|c-lf|conditional|c-f]
 * [--l-vec LIST|first|average] [--level 0.95] [--seed S] [--grid-points N] [--no-breakdown] [--json]`:
 * HonestDiD sensitivity analysis of an event study (docs/CONTRACT.md).
 */
import type { Command } from "commander";
import { z } from "zod";
import { usageError } from "../../core/errors.js";
import type { Method, Restriction } from "../../inference/honest/sensitivity.js";
import { honestAnalysis } from "../../analyses/honest.js";
import { alphaOf, alphaToLevel, deprecate, level, parseOptions } from "../flags.js";
import { action, emit } from "../run.js";

interface Flags {
  from: string;
  restriction: string;
  mbar?: string;
  m?: string;
  method?: string;
  lVec?: string;
  level: string;
  seed: string;
  gridPoints: string;
  breakdown: boolean;
  json?: boolean;
}

const numList = (s: string | undefined, name: string): number[] | undefined => {
  if (s === undefined) return undefined;
  const v = s.split(",").map((t) => Number(t.trim()));
  if (v.length === 0 || v.some((q) => !Number.isFinite(q) || q < 0)) throw usageError(`${name} must be a comma-separated list of numbers ≥ 0, got '${s}'`);
  return v;
};

const f = (v: number | null | undefined, d = 5): string => (v === null || v === undefined ? "NA" : v.toFixed(d));

const schema = z.object({ level });

export function registerDidHonest(did: Command): void {
  const cmd = did
    .command("honest")
    .description("HonestDiD sensitivity (Rambachan & Roth 2023): robust CIs under relative-magnitude (Δ^RM) or smoothness (Δ^SD) violations of parallel trends")
    .requiredOption(
      "--from <file>",
      "a keytech event-study / CS / Sun–Abraham / imputation result JSON with vcov_matrix, or {betahat, sigma, numPrePeriods, numPostPeriods}",
    )
    .option("--restriction <r>", "rm (relative magnitudes) | sd (smoothness)", "rm")
    .option("--mbar <list>", "Δ^RM bounds M̄, comma separated (default 10 points 0…2)")
    .option("--m <list>", "Δ^SD bounds M, comma separated (default 10 points 0…the pre-period upper bound)")
    .option("--method <m>", "flci | c-lf | conditional | c-f (default: flci for sd, c-lf for rm)")
    .option("--l-vec <w>", "target weights on the post periods: first (default), average, or one number per post period")
    .option("--level <l>", "confidence level of the robust sets (HonestDiD alpha = 1 − level)", "0.95")
    .option("--seed <s>", "seed of R's generator for the simulated critical values (0 = HonestDiD's)", "0")
    .option("--grid-points <n>", "grid size of the conditional / hybrid sets", "1000")
    .option("--no-breakdown", "skip the breakdown-value search")
    .option("--json", "print one JSON document");
  deprecate(cmd, "--alpha <a>", "--level", { hint: "--level (= 1 − alpha)", map: (v) => ({ "--level": alphaToLevel("--alpha", String(v)) }) });
  cmd.action(
    action(async (o: Flags) => {
      const restriction = o.restriction as Restriction;
      if (restriction !== "rm" && restriction !== "sd") throw usageError(`--restriction must be rm or sd, got '${o.restriction}'`);
      const method = o.method as Method | undefined;
      if (method !== undefined && !["flci", "c-lf", "conditional", "c-f"].includes(method))
        throw usageError(`--method must be flci, c-lf, conditional or c-f, got '${o.method}'`);
      if (restriction === "rm" && (method === "flci" || method === "c-f"))
        throw usageError(`--method ${method} needs --restriction sd (Δ^RM takes c-lf or conditional)`);
      if (restriction === "rm" && o.m !== undefined) throw usageError("--m is for --restriction sd; use --mbar with rm");
      if (restriction === "sd" && o.mbar !== undefined) throw usageError("--mbar is for --restriction rm; use --m with sd");
      const alpha = alphaOf(parseOptions(schema, o, "did honest").level);
      const seed = Number(o.seed);
      if (!Number.isInteger(seed)) throw usageError(`--seed must be an integer, got '${o.seed}'`);
      const gridPoints = Number(o.gridPoints);
      if (!Number.isInteger(gridPoints) || gridPoints < 2) throw usageError(`--grid-points must be an integer ≥ 2, got '${o.gridPoints}'`);
      const out = await honestAnalysis({
        from: o.from,
        restriction,
        method,
        M: numList(o.m, "--m"),
        Mbar: numList(o.mbar, "--mbar"),
        lVec: o.lVec,
        alpha,
        seed,
        gridPoints,
        breakdown: o.breakdown,
      });
      const res = { ...out, ...out.input };
      emit(out, Boolean(o.json), () => {
        const par = restriction === "sd" ? "M" : "Mbar";
        const lines = [
          `HonestDiD sensitivity (${restriction === "sd" ? "smoothness Δ^SD" : "relative magnitudes Δ^RM"}), θ = l'τ_post with l = (${res.l_vec.map((v) => +v.toFixed(4)).join(", ")}); ${res.numPrePeriods} pre / ${res.numPostPeriods} post periods; ${(1 - alpha) * 100}% sets`,
          `  original: θ̂ = ${f(res.original.estimate)} (SE ${f(res.original.std_error)}, from the input's covariance: ${res.source}), CI [${f(res.original.lb)}, ${f(res.original.ub)}]`,
          "",
          `  ${par.padEnd(10)} ${"method".padEnd(12)} ${"lb".padStart(11)} ${"ub".padStart(11)}`,
        ];
        for (const b of res.bounds)
          lines.push(`  ${String(+(b.M ?? b.Mbar ?? 0).toPrecision(6)).padEnd(10)} ${b.method.padEnd(12)} ${f(b.lb).padStart(11)} ${f(b.ub).padStart(11)}`);
        const bd = res.breakdown;
        if (bd)
          lines.push(
            "",
            bd.value === null
              ? `  breakdown ${par}: none found (${bd.note})`
              : `  breakdown ${par} (smallest at which the set contains 0): ${f(bd.value, 6)}${bd.bracket ? `  [${f(bd.bracket[0], 6)}, ${f(bd.bracket[1], 6)}]` : ""}`,
          );
        return lines.join("\n") + "\n";
      });
    }),
  );
}
