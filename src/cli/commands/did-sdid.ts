/** `keytech did sdid`: synthetic DID / SC / DID with placebo, bootstrap or jackknife SEs (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { progressBar } from "../../core/progress.js";
import { readTable, numeric, type Table } from "../../data/index.js";
import type { SdidMethod } from "../../estimators/sdid.js";
import type { SdidSeMethod } from "../../inference/sdid-variance.js";
import { sdidAnalysisParallel } from "../../study/analyses/sdid.js";
import { sdidEventAnalysis } from "../../study/analyses/sdid-event.js";
import { action, emit } from "../run.js";

interface Flags { data: string; y: string; unit: string; time: string; treat: string; x?: string; method: string; se: string; reps: string; seed: string; workers?: string; covariatesMethod: string; event?: boolean; eventEffects?: string; eventPlacebo?: string; json?: boolean }

/** Text values of a column (numbers printed as read), for unit keys. */
export function textColumn(t: Table, name: string): string[] {
  const c = t.columns.get(name)!;
  if (c.kind === "str") return c.values.map((v) => v ?? "");
  return Array.from(c.values, (v) => (Number.isNaN(v) ? "" : String(v)));
}

export function parseIntFlag(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

export function registerDidSdid(did: Command): void {
  did
    .command("sdid")
    .description("synthetic difference-in-differences (Arkhangelsky et al. 2021), synthetic control or DID, with unit and time weights")
    .requiredOption("--data <file>", "CSV or Parquet panel (one row per unit and period, balanced)")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)")
    .requiredOption("--treat <col>", "0/1 treatment column (absorbing; different first periods = staggered design)")
    .option("--x <cols>", "covariates, comma separated")
    .option("--covariates-method <m>", "projected (residualise on never-treated units, Kranz 2022) | optimized (β fitted jointly with the weights, as R synthdid / Stata optimized; block designs)", "projected")
    .option("--method <m>", "sdid | sc | did", "sdid")
    .option("--se <m>", "placebo | jackknife | bootstrap | none", "placebo")
    .option("--reps <n>", "replications for placebo / bootstrap", "200")
    .option("--seed <s>", "random seed", "1")
    .option("--workers <w>", "threads for placebo / bootstrap replications (default: all cores; the result does not depend on it)")
    .option("--event", "event study: adds terms rel::ℓ (ℓ = t − adoption; sdid_event's definitions) with SEs and a vcov_matrix from the same replications")
    .option("--event-effects <k>", "with --event: post-period effects ℓ = 0 … k−1 (default: all)")
    .option("--event-placebo <k>", "with --event: pre-period placebos ℓ = −1 … −k, or 'all' (default 0)")
    .option("--json", "print one JSON document")
    .action(action(async (o: Flags) => {
      if (!["sdid", "sc", "did"].includes(o.method)) throw usageError(`--method must be sdid, sc or did, got '${o.method}'`);
      if (!["placebo", "jackknife", "bootstrap", "none"].includes(o.se)) throw usageError(`--se must be placebo, jackknife, bootstrap or none, got '${o.se}'`);
      const reps = parseIntFlag("reps", o.reps, 2);
      const seed = parseIntFlag("seed", o.seed, 0);
      if (!["projected", "optimized"].includes(o.covariatesMethod)) throw usageError(`--covariates-method must be projected or optimized, got '${o.covariatesMethod}'`);
      const workers = o.workers === undefined ? undefined : parseIntFlag("workers", o.workers, 1);
      if (!o.event && (o.eventEffects !== undefined || o.eventPlacebo !== undefined)) throw usageError("--event-effects and --event-placebo need --event");
      const effects = o.eventEffects === undefined ? undefined : parseIntFlag("event-effects", o.eventEffects, 1);
      const placebo = o.eventPlacebo === undefined ? undefined : o.eventPlacebo === "all" ? ("all" as const) : parseIntFlag("event-placebo", o.eventPlacebo, 0);
      const xs = (o.x ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
      const t = await readTable(o.data, [
        { column: o.unit, type: "text" },
        { column: o.time, type: "number" },
        { column: o.y, type: "number" },
        { column: o.treat, type: "number" },
        ...xs.map((x) => ({ column: x, type: "number" as const })),
      ]);
      let last = 0;
      const bar = progressBar(`sdid ${o.se}`, o.se === "placebo" || o.se === "bootstrap" ? reps : 0);
      const input = {
        unit: textColumn(t, o.unit), time: numeric(t, o.time), y: numeric(t, o.y), treat: numeric(t, o.treat),
        covariates: xs.map((x) => ({ name: x, values: numeric(t, x) })),
        names: { unit: o.unit, time: o.time, y: o.y, treat: o.treat },
        file: o.data, inputsHash: { [o.data]: await sha256File(o.data) },
        method: o.method as SdidMethod, se: o.se as SdidSeMethod | "none", reps, seed,
        ...(workers !== undefined ? { workers } : {}),
        covariatesMethod: o.covariatesMethod as "projected" | "optimized",
        onProgress: (d: number) => { bar.tick(d - last); last = d; },
      };
      const res = o.event
        ? await sdidEventAnalysis(input, { ...(effects !== undefined ? { effects } : {}), ...(placebo !== undefined ? { placebo } : {}) })
        : await sdidAnalysisParallel(input);
      bar.done();
      for (const w of res.warnings ?? []) process.stderr.write(`keytech: warning: ${w}\n`);
      emit(res, Boolean(o.json), () => {
        const e = res.estimates[0]!;
        const f = (v: number | null) => (v === null ? "NA" : v.toFixed(4));
        const lines = [`Synthetic DID (${o.method}), ${(res.sdid as { design: string }).design} design, ${res.nobs} observations`];
        const wTerm = Math.max(8, ...res.estimates.map((r) => r.term.length));
        lines.push(`  ${"term".padEnd(wTerm)} ${"estimate".padStart(12)} ${"std.error".padStart(12)} ${"95% CI".padStart(24)}`);
        for (const r of res.estimates) {
          const tail = r === e ? `  (${o.se}${o.se === "placebo" || o.se === "bootstrap" ? `, ${reps} reps, seed ${seed}` : ""})` : "";
          lines.push(`  ${r.term.padEnd(wTerm)} ${f(r.estimate).padStart(12)} ${f(r.std_error).padStart(12)} ${`[${f(r.conf_low)}, ${f(r.conf_high)}]`.padStart(24)}${tail}`);
        }
        const uw = res.unit_weights!.filter((r) => r.weight > 0).sort((a, b) => b.weight - a.weight).slice(0, 10);
        lines.push("", "  largest unit weights:");
        for (const r of uw) lines.push(`    ${r.unit.padEnd(24)} ${r.weight.toFixed(6)}${r.cohort !== undefined ? `  (cohort ${r.cohort})` : ""}`);
        const tw = res.time_weights!.filter((r) => r.weight > 0);
        lines.push("", "  time weights > 0:");
        for (const r of tw) lines.push(`    ${String(r.time).padEnd(24)} ${r.weight.toFixed(6)}${r.cohort !== undefined ? `  (cohort ${r.cohort})` : ""}`);
        return lines.join("\n") + "\n";
      });
    }));
}
