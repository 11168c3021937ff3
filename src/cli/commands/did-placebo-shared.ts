/**
 * The table reading shared by `keytech did placebo` and `keytech did permute` (both re-estimate a TWFE
 * DID on many seeded re-draws of a long panel); their flags are in ../flags.ts.
 */
import { sha256File } from "../../core/hash.js";
import { readTable, type Table } from "../../data/index.js";
import { parseIntFlag } from "../flags.js";

export interface RedrawFlags { data: string; y: string; unit: string; time: string; x?: string; reps: string; seed: string; json?: boolean }

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
