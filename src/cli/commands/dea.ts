/** `keytech dea`: DEA efficiency scores per decision unit (and period). docs/CONTRACT.md. */
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { inputError, usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { deaAnalysis, type DeaScoreRow } from "../../study/analyses/dea.js";
import { action, emit } from "../run.js";

/**
 * Minimal CSV column reader for the mechanism commands (RFC 4180 quoting; empty/NA → missing).
 * TODO(data layer): replace with src/data's reader when it lands on main.
 */
export function readCsvColumns(file: string, names: string[]): { nrows: number; text: Map<string, string[]>; num(name: string): Float64Array } {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (e) {
    throw inputError(`cannot read data file: ${(e as Error).message}`, { file });
  }
  const lines = raw.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) throw inputError("empty data file", { file });
  const split = (line: string): string[] => {
    const out: string[] = [];
    let cur = "", q = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (q) {
        if (c === '"') { if (line[i + 1] === '"') { cur += '"'; i++; } else q = false; } else cur += c;
      } else if (c === '"') q = true;
      else if (c === ",") { out.push(cur); cur = ""; }
      else cur += c;
    }
    out.push(cur);
    return out;
  };
  const header = split(lines[0]!).map((h) => h.trim());
  const pos = new Map<string, number>();
  for (const nm of names) {
    const k = header.indexOf(nm);
    if (k < 0) throw inputError(`column '${nm}' not found; columns are: ${header.join(", ")}`, { file, column: nm });
    pos.set(nm, k);
  }
  const text = new Map<string, string[]>(names.map((nm) => [nm, [] as string[]]));
  for (let r = 1; r < lines.length; r++) {
    const f = split(lines[r]!);
    if (f.length !== header.length) throw inputError(`expected ${header.length} fields, found ${f.length}`, { file, row: r });
    for (const nm of names) text.get(nm)!.push(f[pos.get(nm)!]!.trim());
  }
  const nrows = lines.length - 1;
  const num = (nm: string): Float64Array => {
    const t = text.get(nm)!;
    const out = new Float64Array(nrows);
    for (let r = 0; r < nrows; r++) {
      const s = t[r]!;
      if (s === "" || s === "NA" || s === "NaN" || s === ".") { out[r] = NaN; continue; }
      const v = Number(s);
      if (!Number.isFinite(v)) throw inputError(`'${s}' is not a finite number`, { file, row: r + 1, column: nm });
      out[r] = v;
    }
    return out;
  };
  return { nrows, text, num };
}

export const list = (s: string | undefined): string[] => (s ?? "").split(",").map((x) => x.trim()).filter((x) => x.length > 0);

interface DeaFlags { data: string; id: string; inputs: string; outputs: string; by?: string; rts: string; orientation: string; super?: boolean; slacks?: boolean; json?: boolean }

export function registerDea(program: Command): void {
  program
    .command("dea")
    .description("DEA efficiency (envelopment LPs solved by HiGHS), one score per decision unit and period")
    .requiredOption("--data <file>", "CSV data file")
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
      const cols = [o.id, ...(o.by ? [o.by] : []), ...ins, ...outs];
      const t = readCsvColumns(o.data, [...new Set(cols)]);
      const period = o.by ? t.text.get(o.by)!.map((s) => (s !== "" && Number.isFinite(Number(s)) ? Number(s) : s)) : null;
      const res = await deaAnalysis({
        id: t.text.get(o.id)!, idName: o.id, period, periodName: o.by ?? null,
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
