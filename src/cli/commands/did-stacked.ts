/** `keytech did stacked`: stacked DID with clean controls and (default) WFH corrective weights (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { loadStaggered } from "../../analyses/imputation.js";
import { stackedAnalysis } from "../../analyses/stacked.js";
import { addStaggeredColumns, addWindow, deprecate, staggeredColumns, type StaggeredFlags } from "../flags.js";
import { action, emit, estimateTable } from "../run.js";

interface Flags extends StaggeredFlags {
  window: string;
  stackWeights: string;
  fe: string;
}

/** "-3:2" → κ_pre = 3, κ_post = 2. */
export function parseWindow(s: string): { kPre: number; kPost: number } {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(s);
  if (!m) throw usageError(`--window must look like -3:2 (first and last event time), got '${s}'`);
  const lo = Number(m[1]),
    hi = Number(m[2]);
  if (lo > -1 || hi < 0) throw usageError(`--window ${s}: the window must include event time −1 (the reference) and 0, e.g. -3:2`);
  return { kPre: -lo, kPost: hi };
}

export function registerDidStacked(did: Command): void {
  const cmd = addStaggeredColumns(
    did.command("stacked").description("stacked DID: one sub-experiment per cohort with clean controls, sub-experiment × unit and × time FEs, WFH weights"),
  );
  addWindow(cmd, "event-time window, first:last (e.g. -3:2)", "-3:2")
    .option("--stack-weights <w>", "wfh (Wing–Freedman–Hollingsworth corrective weights) | none (Cengiz et al., unweighted)", "wfh")
    .option("--fe <fe>", "stack (sub-experiment × unit and × time FEs) | pooled (treat + event_time, the WFH tutorial)", "stack");
  deprecate(cmd, "--weights <w>", "--stack-weights");
  cmd.action(
    action(async (o: Flags) => {
      const w = parseWindow(o.window);
      if (o.stackWeights !== "wfh" && o.stackWeights !== "none") throw usageError(`--stack-weights must be one of wfh, none, got '${o.stackWeights}'`);
      if (o.fe !== "stack" && o.fe !== "pooled") throw usageError(`--fe must be stack or pooled, got '${o.fe}'`);
      const d = await loadStaggered(staggeredColumns(o));
      const res = stackedAnalysis(d, { ...w, weights: o.stackWeights, fe: o.fe });
      emit(res, Boolean(o.json), () => {
        let s = estimateTable(res, `Stacked DID (window ${o.window}, weights ${o.stackWeights}, FE ${o.fe}), outcome ${o.y}`);
        s += "  sub-experiments:\n";
        for (const x of res.sub_experiments ?? [])
          s += `    ${String(x.cohort).padEnd(8)} ${x.included ? `treated ${x.n_treated}, controls ${x.n_control}${x.control_weight !== undefined ? `, control weight ${x.control_weight.toFixed(6)}` : ""}` : `dropped: ${x.reason}`}\n`;
        return s;
      });
    }),
  );
}
