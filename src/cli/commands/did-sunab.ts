/** `keytech did sunab`: Sun & Abraham (2021) interaction-weighted event study (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import type { KeytechResult } from "../../core/result.js";
import { readDidPanel } from "../../data/panel.js";
import { sunabAnalysis, type SunabAnalysisInput } from "../../analyses/sunab.js";
import { addJson, addPanelColumns, addRef, describeVcov, type StaggeredFlags } from "../flags.js";
import { action, emit } from "../run.js";

interface Flags extends StaggeredFlags {
  ref: string;
}

const list = (s: string | undefined): string[] =>
  (s ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

function fmt(v: number | null, d = 6): string {
  return v === null || !Number.isFinite(v) ? "NA" : v.toFixed(d);
}

export function human(res: KeytechResult): string {
  const lines = [
    `Sun & Abraham event study: ${res.nobs} observations; standard errors: ${describeVcov(res.vcov as Parameters<typeof describeVcov>[0])} (t df ${res.vcov?.df})`,
  ];
  lines.push(`  ${"term".padEnd(20)} ${"estimate".padStart(12)} ${"std.error".padStart(12)} ${"t".padStart(9)} ${"p".padStart(9)}`);
  const att = res.aggregations!.ATT!;
  for (const e of [...res.estimates, att])
    lines.push(
      `  ${e.term.padEnd(20)} ${fmt(e.estimate).padStart(12)} ${fmt(e.std_error).padStart(12)} ${fmt(e.statistic, 3).padStart(9)} ${fmt(e.p_value, 4).padStart(9)}`,
    );
  for (const w of res.warnings ?? []) lines.push(`  note: ${w}`);
  return lines.join("\n") + "\n";
}

export function registerDidSunab(did: Command): void {
  const cmd = addPanelColumns(
    did.command("sunab").description("Sun & Abraham (2021) event study: cohort × relative-period interactions aggregated by relative period, and the ATT"),
    {
      cluster: "cluster variables, comma separated (default: the unit)",
    },
  );
  addRef(cmd, "reference relative period");
  addJson(cmd).action(
    action(async (o: Flags) => {
      const xs = list(o.x),
        cl = list(o.cluster);
      const ref = Number(o.ref);
      if (!Number.isInteger(ref)) throw usageError(`--ref must be an integer, got '${o.ref}'`);
      const p = await readDidPanel({
        file: o.data,
        y: o.y,
        unit: o.unit,
        time: o.time,
        cohort: o.cohort,
        x: xs,
        cluster: cl,
        dropMissing: [o.y, o.unit, o.time, ...xs, ...cl],
        validate: true,
      });
      const args: SunabAnalysisInput = {
        y: { name: o.y, values: p.num[o.y]! },
        unit: { name: o.unit, codes: p.unit.codes, nLevels: p.unit.nLevels },
        time: { name: o.time, values: p.time },
        cohort: { name: o.cohort, values: p.cohort! },
        x: xs.map((c) => ({ name: c, values: p.num[c]! })),
        clusters: p.clusters,
        refPeriod: ref,
        missingDropped: p.dropped.rows,
        inputs: p.inputs,
        options: { y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, x: xs, cluster: cl.length ? cl : [o.unit] },
      };
      const res = sunabAnalysis(args);
      emit(res, Boolean(o.json), () => human(res));
    }),
  );
}
