/** `keytech did stacked`: stacked DID with clean controls and (default) WFH corrective weights (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { loadStaggered } from "../../study/analyses/imputation.js";
import { stackedAnalysis } from "../../study/analyses/stacked.js";
import { action, emit } from "../run.js";
import { addColumnFlags, columnsOf, estimateTable, type DidColumnFlags } from "./did-imputation.js";

interface Flags extends DidColumnFlags { window: string; weights: string; fe: string }

/** "-3:2" → κ_pre = 3, κ_post = 2. */
export function parseWindow(s: string): { kPre: number; kPost: number } {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(s);
  if (!m) throw usageError(`--window must look like -3:2 (first and last event time), got '${s}'`);
  const lo = Number(m[1]), hi = Number(m[2]);
  if (lo > -1 || hi < 0) throw usageError(`--window ${s}: the window must include event time −1 (the reference) and 0, e.g. -3:2`);
  return { kPre: -lo, kPost: hi };
}

export function registerDidStacked(did: Command): void {
  addColumnFlags(did.command("stacked").description("stacked DID: one sub-experiment per cohort with clean controls, sub-experiment × unit and × time FEs, WFH weights"))
    .option("--window <a:b>", "event-time window, first:last (e.g. -3:2)", "-3:2")
    .option("--weights <w>", "wfh (Wing–Freedman–Hollingsworth corrective weights) | none (Cengiz et al., unweighted)", "wfh")
    .option("--fe <fe>", "stack (sub-experiment × unit and × time FEs) | pooled (treat + event_time, the WFH tutorial)", "stack")
    .action(action(async (o: Flags) => {
      const w = parseWindow(o.window);
      if (o.weights !== "wfh" && o.weights !== "none") throw usageError(`--weights must be wfh or none, got '${o.weights}'`);
      if (o.fe !== "stack" && o.fe !== "pooled") throw usageError(`--fe must be stack or pooled, got '${o.fe}'`);
      const d = await loadStaggered(columnsOf(o));
      const res = stackedAnalysis(d, { ...w, weights: o.weights, fe: o.fe });
      emit(res, Boolean(o.json), () => {
        let s = estimateTable(res, `Stacked DID (window ${o.window}, weights ${o.weights}, FE ${o.fe}), outcome ${o.y}`);
        s += "  sub-experiments:\n";
        for (const x of res.sub_experiments ?? [])
          s += `    ${String(x.cohort).padEnd(8)} ${x.included ? `treated ${x.n_treated}, controls ${x.n_control}${x.control_weight !== undefined ? `, control weight ${x.control_weight.toFixed(6)}` : ""}` : `dropped: ${x.reason}`}\n`;
        return s;
      });
    }));
}
