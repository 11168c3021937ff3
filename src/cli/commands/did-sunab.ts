/** `keytech did sunab`: Sun & Abraham (2021) interaction-weighted event study (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import type { KeytechResult } from "../../core/result.js";
import { cohortValue, dropMissing, factorize, getColumn, numeric, readTable, validatePanel, type ColumnRequest } from "../../data/index.js";
import { sunabAnalysis, type SunabAnalysisInput } from "../../study/analyses/sunab.js";
import { action, emit } from "../run.js";

interface Flags {
  data: string;
  y: string;
  unit: string;
  time: string;
  cohort: string;
  x?: string;
  cluster?: string;
  ref: string;
  json?: boolean;
}

const list = (s: string | undefined): string[] => (s ?? "").split(",").map((v) => v.trim()).filter((v) => v.length > 0);

function fmt(v: number | null, d = 6): string {
  return v === null || !Number.isFinite(v) ? "NA" : v.toFixed(d);
}

export function human(res: KeytechResult): string {
  const lines = [`Sun & Abraham event study: ${res.nobs} observations; SE clustered by ${Object.keys(res.vcov?.clusters ?? {}).join(", ")} (t df ${res.vcov?.df})`];
  lines.push(`  ${"term".padEnd(20)} ${"estimate".padStart(12)} ${"std.error".padStart(12)} ${"t".padStart(9)} ${"p".padStart(9)}`);
  const att = res.aggregations!.ATT!;
  for (const e of [...res.estimates, att])
    lines.push(`  ${e.term.padEnd(20)} ${fmt(e.estimate).padStart(12)} ${fmt(e.std_error).padStart(12)} ${fmt(e.statistic, 3).padStart(9)} ${fmt(e.p_value, 4).padStart(9)}`);
  for (const w of res.warnings ?? []) lines.push(`  note: ${w}`);
  return lines.join("\n") + "\n";
}

export function registerDidSunab(did: Command): void {
  did
    .command("sunab")
    .description("Sun & Abraham (2021) event study: cohort × relative-period interactions aggregated by relative period, and the ATT")
    .requiredOption("--data <file>", "CSV/Parquet data file")
    .requiredOption("--y <col>", "outcome")
    .requiredOption("--unit <col>", "unit id")
    .requiredOption("--time <col>", "period (integer)")
    .requiredOption("--cohort <col>", "first treated period (0 or empty = never treated)")
    .option("--x <cols>", "covariates, comma separated")
    .option("--cluster <cols>", "cluster variables, comma separated (default: the unit)")
    .option("--ref <k>", "reference relative period", "-1")
    .option("--json", "print one JSON document")
    .action(
      action(async (o: Flags) => {
        const xs = list(o.x), cl = list(o.cluster);
        const ref = Number(o.ref);
        if (!Number.isInteger(ref)) throw usageError(`--ref must be an integer, got '${o.ref}'`);
        const req: ColumnRequest[] = [
          { column: o.y, type: "number" },
          { column: o.unit, type: "auto" },
          { column: o.time, type: "number" },
          { column: o.cohort, type: "number" },
          ...xs.map((c) => ({ column: c, type: "number" as const })),
          ...cl.map((c) => ({ column: c, type: "auto" as const })),
        ];
        const seen = new Set<string>();
        const t0 = await readTable(o.data, req.filter((r) => (seen.has(r.column) ? false : (seen.add(r.column), true))));
        const del = dropMissing(t0, [o.y, o.unit, o.time, ...xs, ...cl]);
        const t = del.table;
        validatePanel(t, { unit: o.unit, time: o.time, cohort: o.cohort });
        const unitF = factorize(getColumn(t, o.unit));
        const args: SunabAnalysisInput = {
          y: { name: o.y, values: numeric(t, o.y) },
          unit: { name: o.unit, codes: unitF.codes, nLevels: unitF.nLevels },
          time: { name: o.time, values: numeric(t, o.time) },
          cohort: { name: o.cohort, values: numeric(t, o.cohort).map(cohortValue) },
          x: xs.map((c) => ({ name: c, values: numeric(t, c) })),
          clusters: cl.map((c) => {
            const f = factorize(getColumn(t, c));
            return { name: c, codes: f.codes, nLevels: f.nLevels };
          }),
          refPeriod: ref,
          missingDropped: del.dropped,
          inputs: { [o.data]: await sha256File(o.data) },
          options: { y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, x: xs, cluster: cl.length ? cl : [o.unit] },
        };
        const res = sunabAnalysis(args);
        emit(res, Boolean(o.json), () => human(res));
      }),
    );
}
