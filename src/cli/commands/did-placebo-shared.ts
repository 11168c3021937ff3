/**
 * Flags, table reading and progress shared by `keytech did placebo` and `keytech did permute` (both
 * re-estimate a TWFE DID on many seeded re-draws of a long panel).
 */
import type { Command } from "commander";
import { sha256File } from "../../core/hash.js";
import { progressBar } from "../../core/progress.js";
import { readTable, type Table } from "../../data/index.js";
import { parseIntFlag } from "./did-sdid.js";

export interface RedrawFlags { data: string; y: string; unit: string; time: string; x?: string; reps: string; seed: string; json?: boolean }

/** --data, --y, --unit, --time (required). */
export function panelOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--data <file>", "CSV or Parquet panel")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)");
}

/** --x, --reps, --seed. */
export function redrawOptions(cmd: Command, reps: { help: string; default: string }): Command {
  return cmd
    .option("--x <cols>", "controls, comma separated")
    .option("--reps <n>", reps.help, reps.default)
    .option("--seed <s>", "random seed", "1");
}

/**
 * Parse --reps, --seed and --x, read the unit (auto), period, outcome, `extra` numeric columns (in
 * that order) and the controls, and hash the input file.
 */
export async function readRedrawTable(o: RedrawFlags, extra: string[]): Promise<{ t: Table; reps: number; seed: number; xs: string[]; inputsHash: Record<string, string> }> {
  const reps = parseIntFlag("reps", o.reps, 2);
  const seed = parseIntFlag("seed", o.seed, 0);
  const xs = (o.x ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const t = await readTable(o.data, [
    { column: o.unit, type: "auto" },
    { column: o.time, type: "number" },
    { column: o.y, type: "number" },
    ...extra.map((c) => ({ column: c, type: "number" as const })),
    ...xs.map((x) => ({ column: x, type: "number" as const })),
  ]);
  return { t, reps, seed, xs, inputsHash: { [o.data]: await sha256File(o.data) } };
}

/** A progress bar driven by a running "done" count. */
export function countBar(label: string, total: number): { onProgress: (done: number) => void; done: () => void } {
  const bar = progressBar(label, total);
  let last = 0;
  return {
    onProgress: (d) => {
      bar.tick(d - last);
      last = d;
    },
    done: () => bar.done(),
  };
}

/** Print a result's warnings on stderr. */
export function printWarnings(res: { warnings?: string[] }): void {
  for (const w of res.warnings ?? []) process.stderr.write(`keytech: warning: ${w}\n`);
}
