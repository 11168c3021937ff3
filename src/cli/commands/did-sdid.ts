/** `keytech did sdid`: synthetic DID / SC / DID with placebo, bootstrap or jackknife SEs (docs/CONTRACT.md). */
import type { Command } from "commander";
import { z } from "zod";
import { usageError } from "../../core/errors.js";
import { progressBar } from "../../core/progress.js";
import { readDidPanel } from "../../data/panel.js";
import type { Table } from "../../data/table.js";
import type { SdidMethod } from "../../estimators/sdid/sdid.js";
import type { SdidSeMethod } from "../../inference/sdid-variance.js";
import { sdidAnalysisParallel } from "../../analyses/sdid.js";
import { sdidEventAnalysis } from "../../analyses/sdid-event.js";
import { action, emit, printWarnings, seLine } from "../run.js";
import { deprecate, int, level, oneOf, parseOptions, window } from "../flags.js";

interface Flags {
  data: string;
  y: string;
  unit: string;
  time: string;
  treat: string;
  x?: string;
  event?: boolean;
  window?: string;
  json?: boolean;
}

/** Text values of a column (numbers printed as read), for unit keys. */
export function textColumn(t: Table, name: string): string[] {
  const c = t.columns.get(name)!;
  if (c.kind === "str") return c.values.map((v) => v ?? "");
  return Array.from(c.values, (v) => (Number.isNaN(v) ? "" : String(v)));
}

const schema = z.object({
  method: oneOf("--method", ["sdid", "sc", "did"] as const),
  vcov: oneOf("--vcov", ["placebo", "jackknife", "bootstrap", "none"] as const),
  reps: int("--reps", 2),
  seed: int("--seed", 0),
  workers: int("--workers", 1).optional(),
  covariatesMethod: oneOf("--covariates-method", ["projected", "optimized"] as const),
  window: window({
    open: true,
    first: (s) => {
      if (s !== "all") throw new Error(`--window FIRST must be an integer ≤ 0 or all, got '${s}'`);
      return "all";
    },
  }).optional(),
  level,
});

/** The k of a deprecated --event-effects / --event-placebo (an integer ≥ min). */
function sdidEnd(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

export function registerDidSdid(did: Command): void {
  const cmd = did
    .command("sdid")
    .description("synthetic difference-in-differences (Arkhangelsky et al. 2021), synthetic control or DID, with unit and time weights")
    .requiredOption("--data <file>", "CSV or Parquet panel (one row per unit and period, balanced)")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)")
    .requiredOption("--treat <col>", "0/1 treatment column (absorbing; different first periods = staggered design)")
    .option("--x <cols>", "covariates, comma separated")
    .option(
      "--covariates-method <m>",
      "projected (residualise on never-treated units, Kranz 2022) | optimized (β fitted jointly with the weights, as R synthdid / Stata optimized; block designs)",
      "projected",
    )
    .option("--method <m>", "sdid | sc | did", "sdid")
    .option("--vcov <m>", "standard errors (synthdid's vcov methods): placebo | jackknife | bootstrap | none", "placebo")
    .option("--reps <n>", "replications for placebo / bootstrap", "200")
    .option("--seed <s>", "random seed", "1")
    .option("--workers <w>", "threads for placebo / bootstrap replications (default: all cores; the result does not depend on it)")
    .option("--event", "event study: adds terms rel::ℓ (ℓ = t − adoption; sdid_event's definitions) with SEs and a vcov_matrix from the same replications")
    .option(
      "--window <a:b>",
      "with --event: event times FIRST:LAST — placebos ℓ = −1 … FIRST (FIRST may be 'all'; default none) and effects ℓ = 0 … LAST (default all); either may be empty",
    )
    .option("--level <l>", "confidence level of the intervals (sdid reports 95% intervals only)", "0.95")
    .option("--json", "print one JSON document");
  deprecate(cmd, "--se <m>", "--vcov");
  deprecate(cmd, "--event-effects <k>", "--window", {
    hint: "--window :LAST (LAST = k − 1)",
    map: (v, a) => ({ "--window": `${(a("--window") ?? ":").split(":")[0]}:${sdidEnd("--event-effects", String(v), 1) - 1}` }),
  });
  deprecate(cmd, "--event-placebo <k>", "--window", {
    hint: "--window FIRST: (FIRST = −k, or all)",
    map: (v, a) => ({ "--window": `${String(v) === "all" ? "all" : -sdidEnd("--event-placebo", String(v), 0)}:${(a("--window") ?? ":").split(":")[1]}` }),
  });
  cmd.action(
    action(async (raw: Flags) => {
      const v = parseOptions(schema, raw, "did sdid");
      const o = { ...raw, ...v, se: v.vcov };
      const { reps, seed, workers } = v;
      if (v.level !== 0.95) throw usageError("--level: did sdid reports 95% intervals only (give --level 0.95 or leave it out)");
      if (!o.event && v.window !== undefined) throw usageError("--window needs --event");
      const effects = v.window?.last === null || v.window === undefined ? undefined : v.window.last + 1;
      const first = v.window?.first;
      const placebo = first === null || first === undefined ? undefined : first === "all" ? ("all" as const) : -first;
      if (typeof first === "number" && first > 0) throw usageError(`--window ${raw.window}: FIRST must be ≤ 0 (placebos are event times before 0)`);
      if (effects !== undefined && effects < 1) throw usageError(`--window ${raw.window}: LAST must be ≥ 0`);
      const xs = (o.x ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      const p = await readDidPanel({ file: o.data, y: o.y, unit: o.unit, unitAsText: true, time: o.time, treat: o.treat, x: xs });
      const t = p.table!;
      let last = 0;
      const bar = progressBar(`sdid ${o.se}`, o.se === "placebo" || o.se === "bootstrap" ? reps : 0);
      const input = {
        unit: textColumn(t, o.unit),
        time: p.time,
        y: p.num[o.y]!,
        treat: p.treat!,
        covariates: xs.map((x) => ({ name: x, values: p.num[x]! })),
        names: { unit: o.unit, time: o.time, y: o.y, treat: o.treat },
        file: o.data,
        inputsHash: p.inputs,
        method: o.method as SdidMethod,
        se: o.se as SdidSeMethod | "none",
        reps,
        seed,
        ...(workers !== undefined ? { workers } : {}),
        covariatesMethod: o.covariatesMethod as "projected" | "optimized",
        onProgress: (d: number) => {
          bar.tick(d - last);
          last = d;
        },
      };
      const res = o.event
        ? await sdidEventAnalysis(input, { ...(effects !== undefined ? { effects } : {}), ...(placebo !== undefined ? { placebo } : {}) })
        : await sdidAnalysisParallel(input);
      bar.done();
      printWarnings(res);
      emit(res, Boolean(o.json), () => {
        const e = res.estimates[0]!;
        const f = (v: number | null) => (v === null ? "NA" : v.toFixed(4));
        const lines = [`Synthetic DID (${o.method}), ${(res.sdid as { design: string }).design} design, ${res.nobs} observations`];
        const wTerm = Math.max(8, ...res.estimates.map((r) => r.term.length));
        lines.push(`  ${"term".padEnd(wTerm)} ${"estimate".padStart(12)} ${"std.error".padStart(12)} ${"95% CI".padStart(24)}`);
        for (const r of res.estimates) {
          const tail = r === e ? `  (${o.se}${o.se === "placebo" || o.se === "bootstrap" ? `, ${reps} reps, seed ${seed}` : ""})` : "";
          lines.push(
            `  ${r.term.padEnd(wTerm)} ${f(r.estimate).padStart(12)} ${f(r.std_error).padStart(12)} ${`[${f(r.conf_low)}, ${f(r.conf_high)}]`.padStart(24)}${tail}`,
          );
        }
        const uw = res
          .unit_weights!.filter((r) => r.weight > 0)
          .sort((a, b) => b.weight - a.weight)
          .slice(0, 10);
        lines.push("", "  largest unit weights:");
        for (const r of uw) lines.push(`    ${r.unit.padEnd(24)} ${r.weight.toFixed(6)}${r.cohort !== undefined ? `  (cohort ${r.cohort})` : ""}`);
        const tw = res.time_weights!.filter((r) => r.weight > 0);
        lines.push("", "  time weights > 0:");
        for (const r of tw) lines.push(`    ${String(r.time).padEnd(24)} ${r.weight.toFixed(6)}${r.cohort !== undefined ? `  (cohort ${r.cohort})` : ""}`);
        return lines.join("\n") + "\n" + seLine(res);
      });
    }),
  );
}
