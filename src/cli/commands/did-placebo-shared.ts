/**
 * Flags, table reading and progress shared by `keytech did placebo` and `keytech did permute` (both
 * re-estimate a TWFE DID on many seeded re-draws of a long panel).
 */
import type { Command } from "commander";
import { progressBar } from "../../core/progress.js";
import { readDidPanel } from "../../data/panel.js";
import type { Table } from "../../data/table.js";
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
 * Parse --reps, --seed and --x and read the DID panel (unit, period, outcome, the controls and `extra`
 * numeric columns) with the input file's hash; the analyses run the panel checks.
 */
export async function readRedrawTable(o: RedrawFlags, extra: string[]): Promise<{ t: Table; reps: number; seed: number; xs: string[]; inputsHash: Record<string, string> }> {
  const reps = parseIntFlag("reps", o.reps, 2);
  const seed = parseIntFlag("seed", o.seed, 0);
  const xs = (o.x ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const p = await readDidPanel({ file: o.data, unit: o.unit, time: o.time, y: o.y, numbers: extra, x: xs });
  return { t: p.table!, reps, seed, xs, inputsHash: p.inputs };
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
