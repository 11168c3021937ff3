/** `keytech dea`: DEA efficiency scores per decision unit (and period). docs/CONTRACT.md. */
import type { Command } from "commander";
import { inputError, usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { fileRow, getColumn, readTable, type ColumnRequest } from "../../data/index.js";
import { deaAnalysis, type DeaScoreRow } from "../../analyses/dea.js";
import { action, emit } from "../run.js";

/** Columns of a data file for the mechanism commands, read through the DuckDB data layer (src/data). */
export interface MechColumns {
  nrows: number;
  /** A numeric column (NaN = missing; the analyses refuse missing values with file, row and column). */
  num(name: string): Float64Array;
  /** A label column (id, cluster: text as written; period: numbers when every value is one, else text); no missing values. */
  label(name: string): (string | number)[];
}

/**
 * Read `numeric`, `labels` (text) and `periods` columns with `readTable` (CSV/TSV/Parquet; its messages name the file, row
 * and column: unknown column with the closest name, a value that is not a number, ±Inf). A missing label
 * (empty, NA, .) stops with its file row and column.
 */
export async function readMechColumns(file: string, numeric: string[], labels: string[], periods: string[] = []): Promise<MechColumns> {
  const reqs: ColumnRequest[] = [];
  const seen = new Set<string>();
  for (const c of periods) if (!seen.has(c)) { seen.add(c); reqs.push({ column: c, as: `label:${c}`, type: "auto" }); }
  for (const c of labels) if (!seen.has(c)) { seen.add(c); reqs.push({ column: c, as: `label:${c}`, type: "text" }); }
  for (const c of new Set(numeric)) reqs.push({ column: c, as: `num:${c}`, type: "number" });
  const t = await readTable(file, reqs);
  return {
    nrows: t.nrows,
    num: (name) => {
      const c = getColumn(t, `num:${name}`);
      if (c.kind !== "num") throw new Error(`internal: column '${name}' is not numeric`);
      return c.values;
    },
    label: (name) => {
      const c = getColumn(t, `label:${name}`);
      const out: (string | number)[] = new Array(t.nrows);
      for (let i = 0; i < t.nrows; i++) {
        const v = c.kind === "num" ? c.values[i]! : c.values[i]!;
        if (v === null || (typeof v === "number" && Number.isNaN(v))) throw inputError("missing value in a label column; fill it in or drop the row", { file, row: fileRow(t, i), column: name });
        out[i] = v;
      }
      return out;
    },
  };
}

export const list = (s: string | undefined): string[] => (s ?? "").split(",").map((x) => x.trim()).filter((x) => x.length > 0);

interface DeaFlags { data: string; id: string; inputs: string; outputs: string; by?: string; rts: string; orientation: string; super?: boolean; slacks?: boolean; json?: boolean }

export function registerDea(program: Command): void {
  program
    .command("dea")
    .description("DEA efficiency (envelopment LPs solved by HiGHS), one score per decision unit and period")
    .requiredOption("--data <file>", "data file (.csv, .tsv, .parquet)")
    .requiredOption("--id <col>", "decision-unit id column")
    .requiredOption("--inputs <cols>", "input columns, comma separated (values ≥ 0)")
    .requiredOption("--outputs <cols>", "output columns, comma separated (values ≥ 0)")
    .option("--by <col>", "period column: one frontier per period (default: pooled)")
    .option("--rts <rts>", "returns to scale: crs | vrs | nirs | ndrs", "crs")
    .option("--orientation <o>", "input | output", "input")
    .option("--super", "Andersen–Petersen super-efficiency (infeasible → null with a reason)")
    .option("--slacks", "second-phase slacks")
    .option("--json", "print one JSON document")
    .action(action(async (o: DeaFlags) => {
      if (!["crs", "vrs", "nirs", "ndrs"].includes(o.rts)) throw usageError(`--rts must be crs, vrs, nirs or ndrs, got '${o.rts}'`);
      if (!["input", "output"].includes(o.orientation)) throw usageError(`--orientation must be input or output, got '${o.orientation}'`);
      const ins = list(o.inputs), outs = list(o.outputs);
      if (ins.length === 0 || outs.length === 0) throw usageError("--inputs and --outputs need at least one column each");
      const t = await readMechColumns(o.data, [...ins, ...outs], [o.id], o.by ? [o.by] : []);
      const period = o.by ? t.label(o.by) : null;
      const res = await deaAnalysis({
        id: t.label(o.id), idName: o.id, period, periodName: o.by ?? null,
        inputs: ins.map((nm) => ({ name: nm, values: t.num(nm) })),
        outputs: outs.map((nm) => ({ name: nm, values: t.num(nm) })),
        rts: o.rts as "crs", orientation: o.orientation as "input", superEfficiency: Boolean(o.super), slacks: Boolean(o.slacks),
        file: o.data, inputsHash: { [o.data]: await sha256File(o.data) },
      });
      emit(res, Boolean(o.json), () => {
        const lines = [`DEA (${o.rts.toUpperCase()}, ${o.orientation}-oriented${o.super ? ", super-efficiency" : ""}), ${res.nobs} units`];
        for (const e of res.estimates) lines.push(`  ${e.term.padEnd(28)} ${e.estimate === null ? "NA" : e.estimate.toFixed(4)}`);
        lines.push("", `  ${"id".padEnd(16)} ${"period".padEnd(8)} efficiency`);
        for (const s of res.scores as DeaScoreRow[]) lines.push(`  ${String(s.id).padEnd(16)} ${String(s.period ?? "").padEnd(8)} ${s.efficiency === null ? "NA" : s.efficiency.toFixed(6)}${s.reason ? `  (${s.reason})` : ""}`);
        return lines.join("\n") + "\n";
      });
    }));
}
