/** `keytech dea`: DEA efficiency scores per decision unit (and period). docs/CONTRACT.md. */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { readMechColumns } from "../../data/mech-columns.js";
import { deaAnalysis, type DeaScoreRow } from "../../analyses/dea.js";
import { addData, addJson, deprecate, splitList as list } from "../flags.js";
import { action, emit } from "../run.js";

interface DeaFlags {
  data: string;
  unit: string;
  inputs: string;
  outputs: string;
  time?: string;
  rts: string;
  orientation: string;
  super?: boolean;
  slacks?: boolean;
  json?: boolean;
}

export function registerDea(program: Command): void {
  const cmd = addData(program.command("dea").description("DEA efficiency (envelopment LPs solved by HiGHS), one score per decision unit and period"))
    .option("--unit <col>", "decision-unit id column (required)")
    .requiredOption("--inputs <cols>", "input columns, comma separated (values ≥ 0)")
    .requiredOption("--outputs <cols>", "output columns, comma separated (values ≥ 0)")
    .option("--time <col>", "period column: one frontier per period (default: pooled)")
    .option("--rts <rts>", "returns to scale: crs | vrs | nirs | ndrs", "crs")
    .option("--orientation <o>", "input | output", "input")
    .option("--super", "Andersen–Petersen super-efficiency (infeasible → null with a reason)")
    .option("--slacks", "second-phase slacks");
  addJson(cmd);
  deprecate(cmd, "--id <col>", "--unit");
  deprecate(cmd, "--by <col>", "--time");
  cmd.action(
    action(async (o: DeaFlags) => {
      if (!o.unit) throw usageError("required option '--unit <col>' not specified");
      if (!["crs", "vrs", "nirs", "ndrs"].includes(o.rts)) throw usageError(`--rts must be crs, vrs, nirs or ndrs, got '${o.rts}'`);
      if (!["input", "output"].includes(o.orientation)) throw usageError(`--orientation must be input or output, got '${o.orientation}'`);
      const ins = list(o.inputs),
        outs = list(o.outputs);
      if (ins.length === 0 || outs.length === 0) throw usageError("--inputs and --outputs need at least one column each");
      const t = await readMechColumns(o.data, [...ins, ...outs], [o.unit], o.time ? [o.time] : []);
      const period = o.time ? t.label(o.time) : null;
      const res = await deaAnalysis({
        id: t.label(o.unit),
        idName: o.unit,
        period,
        periodName: o.time ?? null,
        inputs: ins.map((nm) => ({ name: nm, values: t.num(nm) })),
        outputs: outs.map((nm) => ({ name: nm, values: t.num(nm) })),
        rts: o.rts as "crs",
        orientation: o.orientation as "input",
        superEfficiency: Boolean(o.super),
        slacks: Boolean(o.slacks),
        file: o.data,
        inputsHash: { [o.data]: await sha256File(o.data) },
      });
      emit(res, Boolean(o.json), () => {
        const lines = [
          `DEA (${o.rts.toUpperCase()}, ${o.orientation}-oriented${o.super ? ", super-efficiency" : ""}), ${res.nobs} units; standard errors: none (deterministic frontier)`,
        ];
        for (const e of res.estimates) lines.push(`  ${e.term.padEnd(28)} ${e.estimate === null ? "NA" : e.estimate.toFixed(4)}`);
        lines.push("", `  ${"id".padEnd(16)} ${"period".padEnd(8)} efficiency`);
        for (const s of res.scores as DeaScoreRow[])
          lines.push(
            `  ${String(s.id).padEnd(16)} ${String(s.period ?? "").padEnd(8)} ${s.efficiency === null ? "NA" : s.efficiency.toFixed(6)}${s.reason ? `  (${s.reason})` : ""}`,
          );
        return lines.join("\n") + "\n";
      });
    }),
  );
}
