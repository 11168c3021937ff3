/**
 * The table reading shared by `keytech did placebo` and `keytech did permute` (both re-estimate a TWFE
 * DID on many seeded re-draws of a long panel); their flags are in ../flags.ts.
 */
import { readDidPanel } from "../../data/panel.js";
import type { Table } from "../../data/table.js";
import { parseIntFlag } from "../flags.js";

export interface RedrawFlags {
  data: string;
  y: string;
  unit: string;
  time: string;
  x?: string;
  reps: string;
  seed: string;
  json?: boolean;
}

/**
 * Parse --reps, --seed and --x and read the DID panel (unit, period, outcome, the controls and `extra`
 * numeric columns) with the input file's hash; the analyses run the panel checks.
 */
export async function readRedrawTable(
  o: RedrawFlags,
  extra: string[],
): Promise<{ t: Table; reps: number; seed: number; xs: string[]; inputsHash: Record<string, string> }> {
  const reps = parseIntFlag("reps", o.reps, 2);
  const seed = parseIntFlag("seed", o.seed, 0);
  const xs = (o.x ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const p = await readDidPanel({ file: o.data, unit: o.unit, time: o.time, y: o.y, numbers: extra, x: xs });
  return { t: p.table!, reps, seed, xs, inputsHash: p.inputs };
}
